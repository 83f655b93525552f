#include "app/runtimemetrics.h"

#include "db/sqlhelpers.h"

namespace openaps::app {

namespace {

using Labels = http::PrometheusText::Labels;

void addParticipantMetrics(const QSqlDatabase &db, http::PrometheusText &out)
{
    auto states = sql::exec(db,
                            QStringLiteral("SELECT deauthorized_at IS NULL, COALESCE(sharing_consent, ''), "
                                           "COUNT(*) FROM participants GROUP BY 1, 2"),
                            {}, "count participants");
    if (!states)
        return;
    QMap<QString, qint64> byState { { QStringLiteral("active"), 0 }, { QStringLiteral("deauthorized"), 0 } };
    QMap<QString, qint64> byConsent;
    while (states->next()) {
        const bool active = states->value(0).toBool();
        const qint64 count = states->value(2).toLongLong();
        byState[active ? QStringLiteral("active") : QStringLiteral("deauthorized")] += count;
        if (active) {
            const QString consent = states->value(1).toString();
            byConsent[consent.isEmpty() ? QStringLiteral("unset") : consent] += count;
        }
    }
    out.family("openaps_participants", "gauge", "Participants by state.");
    for (auto it = byState.cbegin(); it != byState.cend(); ++it)
        out.sample("openaps_participants", double(it.value()), Labels { { QStringLiteral("state"), it.key() } });
    auto shared = sql::exec(db,
                            QStringLiteral("SELECT COUNT(*) FROM (SELECT nightscout_site FROM participants "
                                           "WHERE deauthorized_at IS NULL AND nightscout_site IS NOT NULL "
                                           "GROUP BY nightscout_site HAVING COUNT(*) > 1) d"),
                            {}, "count Nightscout sites registered twice");
    if (shared && shared->next()) {
        out.family("openaps_participants_duplicate_sites", "gauge",
                   "Nightscout sites saved by more than one active participant (openaps-server admin "
                   "duplicate-sites names them).");
        out.sample("openaps_participants_duplicate_sites", shared->value(0).toDouble());
    }
    out.family("openaps_participants_consent", "gauge", "Active participants by sharing consent.");
    for (auto it = byConsent.cbegin(); it != byConsent.cend(); ++it)
        out.sample("openaps_participants_consent", double(it.value()),
                   Labels { { QStringLiteral("consent"), it.key() } });
}

void addEtlFileMetrics(const QSqlDatabase &db, http::PrometheusText &out)
{
    auto files = sql::exec(db,
                           QStringLiteral("SELECT status, COUNT(*), COALESCE(SUM(records), 0), "
                                          "COALESCE(SUM(bad_lines), 0) FROM etl_files GROUP BY status"),
                           {}, "count ETL files");
    if (!files)
        return;
    QList<std::tuple<QString, double, double, double>> rows;
    while (files->next())
        rows.append({ files->value(0).toString(), files->value(1).toDouble(), files->value(2).toDouble(),
                      files->value(3).toDouble() });
    out.family("openaps_etl_files", "gauge", "Open Humans files the ETL has seen, by status.");
    for (const auto &[status, count, records, badLines] : rows)
        out.sample("openaps_etl_files", count, Labels { { QStringLiteral("status"), status } });
    out.family("openaps_etl_records", "gauge", "Records read from those files, by file status.");
    for (const auto &[status, count, records, badLines] : rows)
        out.sample("openaps_etl_records", records, Labels { { QStringLiteral("status"), status } });
    out.family("openaps_etl_bad_lines", "gauge", "Lines the ETL could not read, by file status.");
    for (const auto &[status, count, records, badLines] : rows)
        out.sample("openaps_etl_bad_lines", badLines, Labels { { QStringLiteral("status"), status } });
}

// The master token as the jobs last found it (jobs/mastertoken.h); no
// family at all when none is configured.
void addMasterTokenMetrics(const QSqlDatabase &db, http::PrometheusText &out)
{
    auto status = sql::exec(db, QStringLiteral("SELECT state, members, checked_ms FROM oh_master_token_status"), {},
                            "read the master token's state");
    if (!status || !status->next())
        return;
    out.family("openaps_oh_master_token_expired", "gauge",
               "1 when Open Humans answered that the master token (OPENAPS_OH_MASTER_TOKEN) has expired or "
               "refused it: members who never logged in here are not served until it is replaced.");
    out.sample("openaps_oh_master_token_expired", status->value(0).toString() == QLatin1String("ok") ? 0 : 1);
    out.family("openaps_oh_master_token_members", "gauge", "Project members the master token's last listing found.");
    out.sample("openaps_oh_master_token_members", status->value(1).toDouble());
    out.family("openaps_oh_master_token_checked_seconds", "gauge", "When the master token was last used (epoch).");
    out.sample("openaps_oh_master_token_checked_seconds", status->value(2).toDouble() / 1000.0);
}

} // namespace

void addDatabaseMetrics(const db::Database &database, http::PrometheusText &out)
{
    const auto db = database.connection();
    if (!db)
        return; // openaps_database_up already says so
    addParticipantMetrics(*db, out);
    addEtlFileMetrics(*db, out);
    addMasterTokenMetrics(*db, out);
}

void addPassMetrics(const char *name, const char *help, const jobs::ParticipantRunner::Stats &stats,
                    http::PrometheusText &out)
{
    out.family(name, "gauge", help);
    out.sample(name, stats.succeeded, Labels { { QStringLiteral("outcome"), QStringLiteral("succeeded") } });
    out.sample(name, stats.failed, Labels { { QStringLiteral("outcome"), QStringLiteral("failed") } });
}

} // namespace openaps::app
