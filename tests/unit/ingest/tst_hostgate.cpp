#include "ingest/hostgate.h"
#include "ingest/ingestmetrics.h"
#include "records/datatype.h"

#include <QTest>

#include <memory>

using namespace openaps;
using namespace openaps::ingest;
using namespace openaps::records;

// One request at a time per Nightscout host; the metrics registry.
class TestHostGate : public QObject
{
    Q_OBJECT

private slots:
    void oneHolderPerHost()
    {
        HostGate gate;
        QObject context;
        QList<HostGate::Ticket> held;
        QStringList order;
        for (const char *name : { "a1", "a2", "a3" })
            gate.acquire(QStringLiteral("site-a.example"), &context, [&, name](const HostGate::Ticket &t) {
                order << QString::fromLatin1(name);
                held << t;
            });
        gate.acquire(QStringLiteral("site-b.example"), &context, [&](const HostGate::Ticket &t) {
            order << QStringLiteral("b1");
            held << t;
        });
        QTRY_COMPARE(order.size(), 2); // a1 and b1: different hosts go together
        QCOMPARE(order, (QStringList { QStringLiteral("a1"), QStringLiteral("b1") }));
        QTest::qWait(20);
        QCOMPARE(order.size(), 2); // a2 waits while a1 holds its ticket
        held.removeFirst(); // a1 done
        QTRY_COMPARE(order.size(), 3);
        QCOMPARE(order.last(), QStringLiteral("a2"));
        held.clear();
        QTRY_COMPARE(order.size(), 4);
        QCOMPARE(order.last(), QStringLiteral("a3"));
        held.clear();
        QTRY_COMPARE(gate.busyHosts(), 0);
    }

    void aWaiterThatWentAwayIsSkipped()
    {
        HostGate gate;
        QObject keeper;
        auto gone = std::make_unique<QObject>();
        HostGate::Ticket first;
        bool goneRan = false;
        bool lastRan = false;
        gate.acquire(QStringLiteral("h"), &keeper, [&](HostGate::Ticket t) { first = std::move(t); });
        gate.acquire(QStringLiteral("h"), gone.get(), [&](const HostGate::Ticket &) { goneRan = true; });
        gate.acquire(QStringLiteral("h"), &keeper, [&](const HostGate::Ticket &) { lastRan = true; });
        QTRY_VERIFY(first != nullptr);
        gone.reset();
        first.reset();
        QTRY_VERIFY(lastRan);
        QVERIFY(!goneRan);
    }

    void metricsAddUpAndRender()
    {
        IngestMetrics metrics;
        ParticipantReport ok;
        ok.types.insert(records::DataType::Entries, TypeStats { 300, 12, 9000, 4000, 100, 1, 1 });
        ParticipantReport failed;
        failed.outcome = RunRecord::Outcome::Failed;
        failed.errorCode = QStringLiteral("unreachable");
        metrics.addParticipant(ok);
        metrics.addParticipant(failed);
        metrics.addCycle(1500, QDateTime::currentDateTimeUtc());
        const auto s = metrics.snapshot();
        QCOMPARE(s.participantsOk, 1);
        QCOMPARE(s.participantsFailed, 1);
        QCOMPARE(s.recordsByType.value(QStringLiteral("entries")), 12);
        QCOMPARE(s.errorsByClass.value(QStringLiteral("unreachable")), 1);
        http::PrometheusText out;
        metrics.addTo(out);
        const QString text = out.text();
        QVERIFY(text.contains(QLatin1String("openaps_ingest_records_total{type=\"entries\"} 12\n")));
        QVERIFY(text.contains(QLatin1String("openaps_ingest_participants_total{outcome=\"failed\"} 1\n")));
        QVERIFY(text.contains(QLatin1String("openaps_ingest_last_cycle_seconds 1.5\n")));
        QVERIFY(text.contains(QLatin1String("# TYPE openaps_ingest_cycles_total counter\n")));
    }
};

QTEST_GUILESS_MAIN(TestHostGate)
#include "tst_hostgate.moc"
