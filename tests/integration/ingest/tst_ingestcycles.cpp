#include "ingestharness.h"
#include "records/datatype.h"
#include "records/filenames.h"

#include "ingest/filelayout.h"
#include "ingest/recordprep.h"

#include <QSqlQuery>
#include <QTest>

using namespace openaps;
using namespace openaps::test::ingest;
using namespace openaps::records;

namespace {

constexpr quint64 kSeed = 42;

void addSynthetic(Harness &h, const Member &m, const QDateTime &from, const QDateTime &to, int mess = 1)
{
    for (DataType type : kAllTypes)
        h.site(m).store().add(collectionOf(type), syntheticRecords(kSeed + quint64(m.id), type, from, to, mess));
}

QVariant scalar(const db::Database &database, const QString &sql, qint64 participantId)
{
    auto connection = database.connection();
    QSqlQuery q(*connection);
    q.prepare(sql);
    q.addBindValue(participantId);
    if (!q.exec() || !q.next())
        return {};
    return q.value(0);
}

QJsonObject entry(const QString &id, qint64 dateMs, int sgv)
{
    return { { QStringLiteral("_id"), id },
             { QStringLiteral("type"), QStringLiteral("sgv") },
             { QStringLiteral("date"), double(dateMs) },
             { QStringLiteral("sgv"), sgv } };
}

} // namespace

// The ingest against the stand-ins over real loopback HTTP: incremental
// correctness, page edges, late uploads, consent, secured sites, legacy files.
class TestIngestCycles : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase_data() { test::addBackendRows(); }

    void incrementalOverManyCycles()
    {
        QFETCH_GLOBAL(QString, backend);
        Harness h(backend);
        QVERIFY(h.isValid());
        const Member m = h.addMember(QStringLiteral("both"));
        // A month up to the end of February, then 20 cycles of 6 hours
        // that cross into March, with late uploads now and then.
        h.now = QDateTime(QDate(2024, 2, 27), QTime(12, 0), Qt::UTC);
        QDateTime dataEnd = h.now;
        addSynthetic(h, m, h.now.addDays(-30), dataEnd);
        ParticipantReport first = h.run(m);
        QCOMPARE(first.errorCode, QString());
        QCOMPARE(int(first.outcome), int(RunRecord::Outcome::Ok));
        QVERIFY(first.recordsAdded() > 10000);
        QCOMPARE(h.exactlyOnce(m), QString());
        QVERIFY(h.segmentFileCount(m) >= 6); // entries, treatments, devicestatus in January and February

        for (int cycle = 0; cycle < 20; ++cycle) {
            h.now = h.now.addSecs(6 * 3600);
            addSynthetic(h, m, dataEnd, h.now);
            dataEnd = h.now;
            if (cycle % 3 == 1) {
                // An uploader that was offline catches up on a reading of 30 hours ago.
                h.site(m).store().add(ns::Collection::Entries,
                                      entry(QStringLiteral("late%1").arg(cycle),
                                            h.now.addSecs(-30 * 3600).toMSecsSinceEpoch() + 17, 99));
            }
            const ParticipantReport r = h.run(m);
            QCOMPARE(r.errorCode, QString());
            QVERIFY(r.recordsAdded() > 0);
            QVERIFY2(h.exactlyOnce(m).isEmpty(), qPrintable(h.exactlyOnce(m)));
            // A cycle writes only the months its overlap window touches.
            for (const TypeStats &s : r.types)
                QVERIFY(s.segmentsWritten <= 2);
        }
        const int files = h.segmentFileCount(m);
        QSet<QString> names;
        for (const auto &f : h.openHumans->files(m.memberId))
            names.insert(f.basename);
        QCOMPARE(names.size(), h.openHumans->files(m.memberId).size()); // one file per name
        QVERIFY(files >= 9); // now March too
        for (int cycle = 1; cycle < 20; cycle += 3)
            QCOMPARE(h.storedIds(m, DataType::Entries).value(QStringLiteral("late%1").arg(cycle).toUtf8()), 1);

        // Nothing new: the overlap is read again, nothing is uploaded.
        const ParticipantReport idle = h.run(m);
        QCOMPARE(int(idle.outcome), int(RunRecord::Outcome::Ok));
        QCOMPARE(idle.recordsAdded(), 0);
        QCOMPARE(idle.openHumansBytesUp(), 0);
        QVERIFY(idle.recordsRead() > 0);

        // The status the site shows: totals per type equal what is stored.
        for (DataType type : kAllTypes) {
            auto connection = h.database.connection();
            QSqlQuery q(*connection);
            q.prepare(QStringLiteral("SELECT records_moved FROM participant_type_status "
                                     "WHERE participant_id = ? AND data_type = ?"));
            q.addBindValue(m.id);
            q.addBindValue(records::dataTypeName(type));
            QVERIFY(q.exec());
            const qint64 moved = q.next() ? q.value(0).toLongLong() : 0; // no row: nothing moved yet
            QCOMPARE(moved, qint64(h.storedIds(m, type).size()));
        }
        QVERIFY(scalar(h.database,
                       QStringLiteral("SELECT last_success_at FROM participant_status "
                                      "WHERE participant_id = ?"),
                       m.id)
                        .isValid());
        QVERIFY(scalar(h.database,
                       QStringLiteral("SELECT last_error_code FROM participant_status "
                                      "WHERE participant_id = ?"),
                       m.id)
                        .isNull());
    }

    void recordsAreScrubbedAndStamped()
    {
        QFETCH_GLOBAL(QString, backend);
        Harness h(backend);
        QVERIFY(h.isValid());
        const Member a = h.addMember(QStringLiteral("nsf"));
        const Member b = h.addMember(QStringLiteral("openaps"));
        const qint64 t = h.now.addDays(-1).toMSecsSinceEpoch();
        const auto treatment = [&](const QString &id, const QString &by) {
            return QJsonObject { { QStringLiteral("_id"), id },
                                 { QStringLiteral("eventType"), QStringLiteral("Note") },
                                 { QStringLiteral("created_at"),
                                   ns::isoUtc(QDateTime::fromMSecsSinceEpoch(t, Qt::UTC)) },
                                 { QStringLiteral("enteredBy"), by } };
        };
        for (const Member &m : { a, b }) {
            h.site(m).store().add(ns::Collection::Treatments,
                                  { treatment(QStringLiteral("t1"), QStringLiteral("Jane Doe")),
                                    treatment(QStringLiteral("t2"), QStringLiteral("Jane Doe")) });
            h.site(m).store().add(ns::Collection::DeviceStatus,
                                  QJsonObject { { QStringLiteral("_id"), QStringLiteral("d1") },
                                                { QStringLiteral("created_at"),
                                                  ns::isoUtc(QDateTime::fromMSecsSinceEpoch(t, Qt::UTC)) },
                                                { QStringLiteral("device"), QStringLiteral("openaps://janes-rig") } });
            QCOMPARE(h.run(m).errorCode, QString());
        }
        const auto ta = h.storedRecords(a, DataType::Treatments);
        const auto tb = h.storedRecords(b, DataType::Treatments);
        QCOMPARE(ta.size(), 2);
        QCOMPARE(tb.size(), 2);
        const QString byA = ta[0].value(QLatin1String("enteredBy")).toString();
        QVERIFY(!byA.contains(QLatin1String("Jane")));
        QCOMPARE(ta[1].value(QLatin1String("enteredBy")).toString(), byA); // same within a participant
        QVERIFY(tb[0].value(QLatin1String("enteredBy")).toString() != byA); // unrelated across participants
        QCOMPARE(ta[0].value(QLatin1String("sharing_consent")).toString(), QStringLiteral("nsf"));
        QCOMPARE(tb[0].value(QLatin1String("sharing_consent")).toString(), QStringLiteral("openaps"));
        const auto ds = h.storedRecords(a, DataType::DeviceStatus);
        QCOMPARE(ds.size(), 1);
        const QString device = ds[0].value(QLatin1String("device")).toString();
        QVERIFY(device.startsWith(QLatin1String("openaps://")));
        QVERIFY(!device.contains(QLatin1String("jane")));
    }

    void sameTimestampAcrossPageEdges_data()
    {
        QTest::addColumn<int>("before"); // distinct-time records newer than the tie
        QTest::addColumn<int>("tied"); // records sharing one `date`
        QTest::addRow("tie straddles the first edge") << 90 << 30;
        QTest::addRow("tie fills a whole page") << 50 << 150;
        QTest::addRow("tie starts a page") << 100 << 20;
    }
    void sameTimestampAcrossPageEdges()
    {
        QFETCH_GLOBAL(QString, backend);
        QFETCH(int, before);
        QFETCH(int, tied);
        Harness h(backend); // page size 100
        QVERIFY(h.isValid());
        const Member m = h.addMember();
        const qint64 tie = h.now.addDays(-2).toMSecsSinceEpoch();
        QList<QJsonObject> records;
        for (int i = 0; i < tied; ++i)
            records << entry(QStringLiteral("tied%1").arg(i), tie, 100 + i);
        for (int i = 1; i <= before; ++i)
            records << entry(QStringLiteral("after%1").arg(i), tie + i * 60000, 120);
        for (int i = 1; i <= 40; ++i)
            records << entry(QStringLiteral("older%1").arg(i), tie - i * 60000, 130);
        h.site(m).store().add(ns::Collection::Entries, records);
        QCOMPARE(h.run(m).errorCode, QString());
        QCOMPARE(h.exactlyOnce(m), QString());
        QCOMPARE(h.storedIds(m, DataType::Entries).size(), tied + before + 40);
    }

    void lateUploadInsideTheOverlap()
    {
        QFETCH_GLOBAL(QString, backend);
        Harness h(backend);
        QVERIFY(h.isValid());
        const Member m = h.addMember();
        const qint64 base = h.now.addDays(-3).toMSecsSinceEpoch();
        QList<QJsonObject> records;
        for (int i = 0; i < 200; ++i)
            records << entry(QStringLiteral("e%1").arg(i), base + i * 300000, 100);
        h.site(m).store().add(ns::Collection::Entries, records);
        QCOMPARE(h.run(m).errorCode, QString());

        // An uploader that was offline sends a record of 20 hours ago, and a
        // treatment is edited in place (same _id, new content).
        h.now = h.now.addSecs(3600);
        const qint64 late = h.now.addSecs(-20 * 3600).toMSecsSinceEpoch();
        h.site(m).store().add(ns::Collection::Entries, entry(QStringLiteral("late"), late, 77));
        const ParticipantReport r = h.run(m);
        QCOMPARE(r.errorCode, QString());
        QCOMPARE(r.types.value(DataType::Entries).added, 1);
        QCOMPARE(h.exactlyOnce(m), QString());
        QCOMPARE(h.storedIds(m, DataType::Entries).value("late"), 1);

        // Older than the overlap: not read again (and not lost from what was stored).
        h.now = h.now.addSecs(3600);
        h.site(m).store().add(ns::Collection::Entries,
                              entry(QStringLiteral("too-late"), h.now.addDays(-4).toMSecsSinceEpoch(), 70));
        QCOMPARE(h.run(m).errorCode, QString());
        QVERIFY(!h.storedIds(m, DataType::Entries).contains("too-late"));
        QCOMPARE(h.storedIds(m, DataType::Entries).size(), 201);
    }

    void editedRecordReplacesItsStoredVersion()
    {
        QFETCH_GLOBAL(QString, backend);
        Harness h(backend);
        QVERIFY(h.isValid());
        const Member m = h.addMember();
        const QString created = ns::isoUtc(h.now.addSecs(-7200));
        QJsonObject t { { QStringLiteral("_id"), QStringLiteral("meal") },
                        { QStringLiteral("eventType"), QStringLiteral("Meal Bolus") },
                        { QStringLiteral("created_at"), created },
                        { QStringLiteral("carbs"), 40 } };
        h.site(m).store().add(ns::Collection::Treatments, t);
        QCOMPARE(h.run(m).errorCode, QString());
        h.site(m).store().clear();
        t.insert(QStringLiteral("carbs"), 55);
        h.site(m).store().add(ns::Collection::Treatments, t);
        h.now = h.now.addSecs(600);
        QCOMPARE(h.run(m).errorCode, QString());
        const auto stored = h.storedRecords(m, DataType::Treatments);
        QCOMPARE(stored.size(), 1);
        QCOMPARE(stored[0].value(QLatin1String("carbs")).toInt(), 55);
    }

    void profileEditedLongAfterItsStart()
    {
        QFETCH_GLOBAL(QString, backend);
        Harness h(backend);
        QVERIFY(h.isValid());
        const Member m = h.addMember();
        QJsonObject profile { { QStringLiteral("_id"), QStringLiteral("profile1") },
                              { QStringLiteral("defaultProfile"), QStringLiteral("Default") },
                              { QStringLiteral("startDate"), ns::isoUtc(h.now.addDays(-40)) },
                              { QStringLiteral("units"), QStringLiteral("mg/dl") } };
        h.site(m).store().add(ns::Collection::Profiles, profile);
        QCOMPARE(h.run(m).errorCode, QString());
        h.now = h.now.addSecs(3600);
        const ParticipantReport unchanged = h.run(m);
        QCOMPARE(unchanged.types.value(DataType::Profile).added, 0);
        // The participant changes units in Nightscout's profile editor: same
        // document, same startDate, weeks later.
        h.site(m).store().clear();
        profile.insert(QStringLiteral("units"), QStringLiteral("mmol"));
        h.site(m).store().add(ns::Collection::Profiles, profile);
        h.now = h.now.addSecs(3600);
        const ParticipantReport edited = h.run(m);
        QCOMPARE(edited.types.value(DataType::Profile).added, 1);
        const auto stored = h.storedRecords(m, DataType::Profile);
        QCOMPARE(stored.size(), 1);
        QCOMPARE(stored[0].value(QLatin1String("units")).toString(), QStringLiteral("mmol"));
    }

    void skipsWithAReason_data()
    {
        QTest::addColumn<QString>("consent");
        QTest::addColumn<bool>("url");
        QTest::addColumn<QString>("code");
        QTest::addRow("consent none") << QStringLiteral("none") << true << QStringLiteral("consent_none");
        QTest::addRow("unreadable consent") << QStringLiteral("maybe later") << true << QStringLiteral("no_consent");
        QTest::addRow("no url file") << QStringLiteral("openaps") << false << QStringLiteral("no_url");
    }
    void skipsWithAReason()
    {
        QFETCH_GLOBAL(QString, backend);
        QFETCH(QString, consent);
        QFETCH(bool, url);
        QFETCH(QString, code);
        Harness h(backend);
        QVERIFY(h.isValid());
        const Member m = h.addMember(consent);
        if (!url)
            h.openHumans->store().deleteFiles(m.memberId, standins::OpenHumansStore::DeleteBy::Basename,
                                              urlFileName(m.memberId));
        addSynthetic(h, m, h.now.addDays(-1), h.now);
        const ParticipantReport r = h.run(m);
        QCOMPARE(int(r.outcome), int(RunRecord::Outcome::Skipped));
        QCOMPARE(r.errorCode, code);
        QCOMPARE(h.segmentFileCount(m), 0);
        QCOMPARE(h.site(m).requestCount(), 0); // the site was not even asked
        QCOMPARE(scalar(h.database,
                        QStringLiteral("SELECT last_error_code FROM participant_status "
                                       "WHERE participant_id = ?"),
                        m.id)
                         .toString(),
                 code);
    }

    void noConsentFileMeansTheOldSystemsProject()
    {
        QFETCH_GLOBAL(QString, backend);
        Harness h(backend);
        QVERIFY(h.isValid());
        const Member m = h.addMember();
        h.openHumans->store().deleteFiles(m.memberId, standins::OpenHumansStore::DeleteBy::Basename,
                                          consentFileName(m.memberId));
        addSynthetic(h, m, h.now.addDays(-1), h.now);
        QCOMPARE(h.run(m).errorCode, QString());
        const auto entries = h.storedRecords(m, DataType::Entries);
        QVERIFY(!entries.isEmpty());
        QCOMPARE(entries.first().value(QLatin1String("sharing_consent")).toString(), QStringLiteral("openaps"));
    }

    void securedSite_data()
    {
        QTest::addColumn<bool>("apiSecret");
        QTest::addRow("access token") << false;
        QTest::addRow("API secret") << true;
    }
    void securedSite()
    {
        QFETCH_GLOBAL(QString, backend);
        QFETCH(bool, apiSecret);
        Harness h(backend);
        QVERIFY(h.isValid());
        const Member m = h.addMember();
        const QString token = QStringLiteral("ingest-0123456789abcdef");
        const QString secret = QStringLiteral("a very long api secret");
        if (apiSecret)
            h.site(m).requireApiSecret(secret);
        else
            h.site(m).requireToken(token);
        addSynthetic(h, m, h.now.addDays(-2), h.now);

        const ParticipantReport locked = h.run(m);
        QCOMPARE(int(locked.outcome), int(RunRecord::Outcome::Failed));
        QCOMPARE(locked.errorCode, QStringLiteral("needs_token"));
        QCOMPARE(h.segmentFileCount(m), 0);

        h.writeUrlFile(m,
                       apiSecret ? QStringLiteral("/?api_secret=wrong-secret-value")
                                 : QStringLiteral("/?token=ingest-ffffffffffffffff"));
        QCOMPARE(h.run(m).errorCode, QStringLiteral("token_rejected"));

        h.writeUrlFile(m,
                       apiSecret ? QStringLiteral("/?api_secret=")
                                       + QString::fromLatin1(ns::Credentials::hashSecret(secret))
                                 : QStringLiteral("/?token=") + token);
        const ParticipantReport ok = h.run(m);
        QCOMPARE(ok.errorCode, QString());
        QVERIFY(ok.recordsAdded() > 0);
        QCOMPARE(h.exactlyOnce(m), QString());
    }

    void legacyFileSetsTheStart()
    {
        QFETCH_GLOBAL(QString, backend);
        Harness h(backend);
        QVERIFY(h.isValid());
        const Member m = h.addMember();
        const qint64 bound = h.now.addDays(-5).toMSecsSinceEpoch();
        QList<QJsonObject> records;
        for (int i = -100; i < 100; ++i)
            records << entry(QStringLiteral("e%1").arg(i + 100), bound + i * 600000, 100);
        h.site(m).store().add(ns::Collection::Entries, records);
        // The old system's whole-history file holds everything up to `bound`.
        const QString legacy = QStringLiteral("%1_%2_entries.json").arg(bound).arg(m.memberId);
        h.openHumans->addFile(m.memberId, legacy, QByteArray("{\"_id\":\"e0\"}\n"));
        QCOMPARE(h.run(m).errorCode, QString());
        const auto stored = h.storedIds(m, DataType::Entries);
        QCOMPARE(stored.size(), 99); // the records after `bound`, each once
        QVERIFY(!stored.contains("e100")); // exactly at the bound: in the legacy file
        QVERIFY(stored.contains("e101"));
        // The legacy file stays as it was.
        bool found = false;
        for (const auto &f : h.openHumans->files(m.memberId))
            found = found || f.basename == legacy;
        QVERIFY(found);
        // Later cycles never read below the bound, whatever the overlap.
        h.now = h.now.addSecs(3600);
        QCOMPARE(h.run(m).errorCode, QString());
        QCOMPARE(h.storedIds(m, DataType::Entries).size(), 99);
    }

    void withdrawnAccessStopsTheParticipant()
    {
        QFETCH_GLOBAL(QString, backend);
        Harness h(backend);
        QVERIFY(h.isValid());
        const Member m = h.addMember();
        addSynthetic(h, m, h.now.addDays(-1), h.now);
        h.openHumans->revokeMember(m.memberId);
        const ParticipantReport r = h.run(m);
        QCOMPARE(int(r.outcome), int(RunRecord::Outcome::Failed));
        QCOMPARE(r.errorCode, QStringLiteral("oh_revoked"));
        QVERIFY(!scalar(h.database, QStringLiteral("SELECT deauthorized_at FROM participants WHERE id = ?"), m.id)
                         .isNull());
        // Later runs do not even try.
        const ParticipantReport again = h.run(m);
        QCOMPARE(int(again.outcome), int(RunRecord::Outcome::Skipped));
        QCOMPARE(again.errorCode, QStringLiteral("oh_revoked"));
    }

    void deletedSegmentsAreWrittenAgain()
    {
        QFETCH_GLOBAL(QString, backend);
        Harness h(backend);
        QVERIFY(h.isValid());
        const Member m = h.addMember();
        addSynthetic(h, m, h.now.addDays(-10), h.now);
        QCOMPARE(h.run(m).errorCode, QString());
        // The participant deletes every data file in Open Humans.
        for (const auto &f : h.openHumans->files(m.memberId)) {
            if (f.basename.contains(QLatin1String(".ndjson")))
                h.openHumans->store().deleteFiles(m.memberId, standins::OpenHumansStore::DeleteBy::FileId, f.id);
        }
        QCOMPARE(h.segmentFileCount(m), 0);
        h.now = h.now.addSecs(3600);
        QCOMPARE(h.run(m).errorCode, QString());
        QCOMPARE(h.exactlyOnce(m), QString());
    }
};

QTEST_GUILESS_MAIN(TestIngestCycles)
#include "tst_ingestcycles.moc"
