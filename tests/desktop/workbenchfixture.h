#pragma once

// The real server (ServerRuntime, api role) on an ephemeral port over a
// throw-away SQLite or PostgreSQL database seeded for the researcher
// workbench: eight participants with entries run through the ETL's
// analytics refresh (participant_summary, cohort tables), survey answers,
// and accounts; plus the downloader's window as main() wires it.

#include "api/researcherstore.h"
#include "app/serverruntime.h"
#include "desktoptest.h"
#include "standins/smtpstandin.h"
#include "testdatabase.h"
#include "turncounter.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTimer>
#include <QUrlQuery>

#include <memory>
#include <optional>

namespace openaps::test {

struct WorkbenchFixture
{
    static inline const QString password = QStringLiteral("correct horse battery");
    static inline const QString adminEmail = QStringLiteral("ada@example.org");
    static inline const QString nsfEmail = QStringLiteral("nina@example.org");
    static inline const QString pendingEmail = QStringLiteral("bob@example.org");
    // 1001..1006 consent openaps, 1007 both, 1008 nsf; 1001 has 15 full days
    // (the only sufficient one); the others two days in March, April or May 2024.
    static QList<qint64> participantIds();
    static int sourceEntityOf(qint64 id);

    // False (with a QWARN) when something could not be set up.
    bool setUp(const QString &backend);
    ~WorkbenchFixture();

    qint64 addAccount(const QString &email, const QString &state, api::AccessScope scope, bool admin,
                      const QString &purpose = QStringLiteral("Testing the downloader"));
    QUrl serverUrl() const;
    // GET an API path with the signed-in client's token, the raw JSON answer.
    QJsonObject getJson(const QString &path, const QUrlQuery &query = {}) const;

    std::unique_ptr<QTemporaryDir> dir;
    std::unique_ptr<TestDatabase> tdb;
    std::optional<db::Database> database;
    std::unique_ptr<standins::SmtpStandIn> smtp;
    std::unique_ptr<app::ServerRuntime> runtime;
    std::unique_ptr<Downloader> app;
    qint64 adminId = 0;

private:
    bool seed();
};

} // namespace openaps::test
