#pragma once

// One database, one Open Humans stand-in with a member who has tokens and
// files, and a way to run `etl --once` in-process: shared by the ETL service
// and erasure tests.

#include "../openhumans/ohtestsupport.h"
#include "etl/etlservice.h"
#include "etltestsupport.h"
#include "jobs/ohsession.h"
#include "privacy/participantkeys.h"

#include <QHttpServer>
#include <QSignalSpy>
#include <QTemporaryDir>

#include <functional>

namespace openaps::test::etl {

inline const QByteArray secretKey = QByteArrayLiteral("0123456789abcdef0123456789abcdef-etl-test");

inline QByteArray fixture(const char *name)
{
    QFile f(fixturePath(name));
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

inline QByteArray entries(int from, int to)
{
    QByteArray data;
    for (int i = from; i < to; ++i)
        data += "{\"_id\":\"s" + QByteArray::number(i)
                + "\",\"type\":\"sgv\",\"sgv\":" + QByteArray::number(80 + i % 100)
                + ",\"date\":" + QByteArray::number(1706745600000LL + qint64(i) * 300000) + ",\"device\":\"xDrip\"}\n";
    return data;
}

// Serves the survey CSV as a published spreadsheet would.
struct SurveySite
{
    explicit SurveySite(QByteArray csv) : csv(std::move(csv))
    {
        server.route(QStringLiteral("/survey.csv"), [this] { return this->csv; });
        port = server.listen(QHostAddress::LocalHost, 0);
    }
    QUrl url() const { return QUrl(QStringLiteral("http://127.0.0.1:%1/survey.csv").arg(port)); }

    QByteArray csv;
    QHttpServer server;
    quint16 port = 0;
};

struct World
{
    explicit World(const db::Database &database) : database(database)
    {
        member = oh.memberWithTokens(&tokens);
        tokens.expiresAt = oh.clock.now.addSecs(36000);
        join();
    }

    // The member's participants row with tokens, as a login makes it (again).
    void join()
    {
        auto conn = database.connection();
        QSqlQuery q(*conn);
        q.prepare(QStringLiteral("INSERT INTO participants (member_id) VALUES (?)"));
        q.addBindValue(member);
        if (!q.exec())
            qFatal("%s", qPrintable(q.lastError().text()));
        participantId = scalar(database, QStringLiteral("SELECT id FROM participants WHERE member_id = ?"), { member })
                                .toLongLong();
        jobs::OhSession session(database, oh.client(), secretKey, oh.clock.clock());
        if (!session.store(participantId, tokens))
            qFatal("storing tokens failed");
    }

    void addFile(const QString &name, const QByteArray &content, const QStringList &tags = {})
    {
        oh.clock.advance(60); // distinct creation times
        oh.standIn->addFile(member, name, content, QString(), tags);
    }
    void setConsent(const char *value)
    {
        oh.standIn->store().deleteFiles(member, standins::OpenHumansStore::DeleteBy::Basename, consentName());
        addFile(consentName(), value);
    }
    QString consentName() const { return member + QStringLiteral("_open_aps_data_sharing_consent.txt"); }

    // One `etl --once` cycle; the participant pass's outcome. `tweak` may
    // change the service's options (demographics URLs, test hooks).
    jobs::ParticipantRunner::Stats runOnce(const std::function<void(openaps::etl::EtlService::Options &)> &tweak = {})
    {
        openaps::etl::EtlService::Options o;
        o.once = true;
        o.concurrency = 2;
        o.tempDir = temp.path();
        if (tweak)
            tweak(o);
        oh.clock.advance(1);
        openaps::etl::EtlService service(database, &oh.nam, oh.settings, secretKey, o, oh.clock.clock());
        QSignalSpy stopped(&service, &openaps::etl::EtlService::stopped);
        service.start();
        if (!stopped.wait(60000))
            qWarning("the ETL cycle did not finish");
        return service.lastPass();
    }

    // Rows of the member in a research or analytics table (by pseudonym).
    qint64 userCount(const char *table) const
    {
        return scalar(database, QStringLiteral("SELECT COUNT(*) FROM %1 WHERE user_id = ?").arg(QLatin1String(table)),
                      { keys.pseudonym(member) })
                .toLongLong();
    }

    db::Database database;
    test::OpenHumansFixture oh;
    oh::TokenPair tokens;
    QString member;
    qint64 participantId = 0;
    const privacy::ParticipantKeys keys { secretKey };
    QTemporaryDir temp;
};

} // namespace openaps::test::etl
