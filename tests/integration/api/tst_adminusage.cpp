// Usage for administrators (issue 13, item 4) on SQLite and PostgreSQL over
// real HTTP: GET /api/v1/admin/usage per researcher in a window, and the
// download list's paging and filters, hand-counted on a small audit.

#include "exportharness.h"

#include <QJsonArray>
#include <QTest>

using namespace openaps;
using namespace Qt::StringLiterals;

namespace {

qint64 ms(const char *iso)
{
    return QDateTime::fromString(QString::fromLatin1(iso), Qt::ISODate).toMSecsSinceEpoch();
}

// Researchers 11 and 12 (approved), 13 (admin, approved, downloaded
// nothing, signed in on 5 March) and 14 (pending), and four downloads.
bool seedAudit(test::ExportHarness &h)
{
    bool ok = true;
    for (const auto &[id, status] :
         { std::pair { 11, "approved" }, { 12, "approved" }, { 13, "approved" }, { 14, "pending" } }) {
        ok = ok
                && h.insert(u"researchers"_s,
                            { { u"id"_s, id },
                              { u"email"_s, u"r%1@example.org"_s.arg(id) },
                              { u"name"_s, u"Researcher %1"_s.arg(id) },
                              { u"institution"_s, u"Institute"_s },
                              { u"password_hash"_s, u"x"_s },
                              { u"status"_s, QString::fromLatin1(status) },
                              { u"created_ms"_s, 0 },
                              { u"updated_ms"_s, 0 } });
    }
    ok = ok
            && h.insert(u"api_tokens"_s,
                        { { u"token_hash"_s, u"h13"_s },
                          { u"researcher_id"_s, 13 },
                          { u"created_ms"_s, 0 },
                          { u"expires_ms"_s, ms("2030-01-01T00:00:00Z") },
                          { u"last_used_ms"_s, ms("2024-03-05T00:00:00Z") } });
    const std::tuple<int, const char *, int, int, const char *, const char *> downloads[] = {
        { 11, "entries", 10, 1000, "2024-03-01T10:00:00.000Z", "complete" },
        { 11, "treatments", 5, 500, "2024-03-02T10:00:00.000Z", "aborted" },
        { 12, "entries", 100, 9000, "2024-03-03T10:00:00.000Z", "complete" },
        { 11, "entries", 1, 50, "2024-04-01T00:00:00.000Z", "complete" },
    };
    for (const auto &[researcher, dataset, rows, bytes, started, outcome] : downloads) {
        ok = ok
                && h.insert(u"download_audit"_s,
                            { { u"researcher_id"_s, researcher },
                              { u"dataset"_s, QString::fromLatin1(dataset) },
                              { u"filters"_s, u"{}"_s },
                              { u"format"_s, u"csv"_s },
                              { u"row_count"_s, rows },
                              { u"byte_count"_s, bytes },
                              { u"started_at"_s, QString::fromLatin1(started) },
                              { u"finished_at"_s, QString::fromLatin1(started) },
                              { u"outcome"_s, QString::fromLatin1(outcome) } });
    }
    return ok;
}

// "researcher:downloads:complete:rows:bytes:last_download_at:last_activity" per line of the usage.
QStringList usage(const QJsonObject &answer)
{
    QStringList out;
    for (const QJsonValue &r : answer.value(u"researchers").toArray()) {
        const auto time = [](const QJsonValue &v) { return v.isNull() ? u"-"_s : v.toString().left(10); };
        out << u"%1:%2:%3:%4:%5:%6:%7"_s.arg(r[u"researcher_id"].toInt())
                        .arg(r[u"downloads"].toInt())
                        .arg(r[u"complete"].toInt())
                        .arg(r[u"rows"].toInt())
                        .arg(r[u"bytes"].toInt())
                        .arg(time(r[u"last_download_at"]), time(r[u"last_activity"]));
    }
    return out;
}

// The audit ids (in the order inserted, 1-4) of a download list.
QList<int> ids(const QJsonObject &answer)
{
    QList<int> out;
    for (const QJsonValue &d : answer.value(u"downloads").toArray())
        out << d[u"id"].toInt();
    return out;
}

} // namespace

// A server of its own on a throw-away database, with the audit above, as `h`.
#define AUDIT_HARNESS()                                                                                                \
    QFETCH_GLOBAL(QString, backend);                                                                                   \
    test::ExportHarness h(backend);                                                                                    \
    QVERIFY(h.isValid());                                                                                              \
    QVERIFY(seedAudit(h))

class TestAdminUsage final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase_data() { test::addBackendRows(); }

    void usagePerResearcher()
    {
        AUDIT_HARNESS();
        const auto all = h.get(u"/api/v1/admin/usage"_s);
        QCOMPARE(all.status, 200);
        QVERIFY(all.json().value(u"from").isNull());
        // Most bytes first; the pending researcher is not listed.
        QCOMPARE(usage(all.json()),
                 (QStringList { u"12:1:1:100:9000:2024-03-03:2024-03-03"_s, u"11:3:2:16:1550:2024-04-01:2024-04-01"_s,
                                u"13:0:0:0:0:-:2024-03-05"_s }));
        const QJsonObject first = all.json().value(u"researchers").toArray().at(0).toObject();
        QCOMPARE(first.value(u"name").toString(), u"Researcher 12"_s);
        QCOMPARE(first.value(u"email").toString(), u"r12@example.org"_s);

        const auto march = h.get(u"/api/v1/admin/usage?from=2024-03-01&to=2024-04-01"_s);
        QCOMPARE(march.status, 200);
        QCOMPARE(march.json().value(u"to").toString(), u"2024-04-01T00:00:00.000Z"_s);
        QCOMPARE(usage(march.json()),
                 (QStringList { u"12:1:1:100:9000:2024-03-03:2024-03-03"_s, u"11:2:1:15:1500:2024-03-02:2024-03-02"_s,
                                u"13:0:0:0:0:-:2024-03-05"_s }));
        // After 6 March: 13's sign-in is outside the window.
        const auto later = h.get(u"/api/v1/admin/usage?from=2024-03-06T00:00:00Z"_s);
        QCOMPARE(usage(later.json()),
                 (QStringList { u"11:1:1:1:50:2024-04-01:2024-04-01"_s, u"12:0:0:0:0:-:-"_s, u"13:0:0:0:0:-:-"_s }));
    }

    void downloadListPagesAndFilters()
    {
        AUDIT_HARNESS();
        const auto firstPage = h.get(u"/api/v1/admin/downloads?limit=2"_s);
        QCOMPARE(firstPage.status, 200);
        QCOMPARE(ids(firstPage.json()), (QList<int> { 4, 3 }));
        QCOMPARE(firstPage.json().value(u"total").toInt(), 4);
        QCOMPARE(firstPage.json().value(u"limit").toInt(), 2);
        QCOMPARE(ids(h.get(u"/api/v1/admin/downloads?limit=2&offset=2"_s).json()), (QList<int> { 2, 1 }));
        QCOMPARE(ids(h.get(u"/api/v1/admin/downloads?offset=4"_s).json()), QList<int>());
        const auto mine = h.get(u"/api/v1/admin/downloads?researcher=11"_s).json();
        QCOMPARE(ids(mine), (QList<int> { 4, 2, 1 }));
        QCOMPARE(mine.value(u"total").toInt(), 3);
        QCOMPARE(ids(h.get(u"/api/v1/admin/downloads?dataset=entries&researcher=11"_s).json()), (QList<int> { 4, 1 }));
        const auto window = h.get(u"/api/v1/admin/downloads?from=2024-03-02&to=2024-04-01&limit=1"_s).json();
        QCOMPARE(ids(window), (QList<int> { 3 }));
        QCOMPARE(window.value(u"total").toInt(), 2);
    }

    void refusals()
    {
        AUDIT_HARNESS();
        for (const auto &[path, parameter] :
             { std::pair { u"/api/v1/admin/downloads?dataset=profiles"_s, u"dataset"_s },
               { u"/api/v1/admin/downloads?offset=-1"_s, u"offset"_s },
               { u"/api/v1/admin/downloads?researcher=x"_s, u"researcher"_s },
               { u"/api/v1/admin/downloads?limit=1001"_s, u"limit"_s },
               { u"/api/v1/admin/downloads?from=2024-02-01&to=2024-01-01"_s, u"to"_s },
               { u"/api/v1/admin/usage?from=soon"_s, u"from"_s },
               { u"/api/v1/admin/usage?limit=3"_s, u"limit"_s } }) {
            const auto reply = h.get(path);
            QCOMPARE(reply.status, 400);
            QVERIFY2(reply.json().value(u"message").toString().contains(u'\'' + parameter + u'\''),
                     reply.body.constData());
        }
        for (const QString &path : { u"/api/v1/admin/usage"_s, u"/api/v1/admin/downloads"_s }) {
            QCOMPARE(h.get(path, test::tokens::openaps).status, 403);
            QCOMPARE(h.get(path, QByteArray()).status, 401);
        }
    }
};

QTEST_GUILESS_MAIN(TestAdminUsage)
#include "tst_adminusage.moc"
