#include "site/erasure.h"

#include "db/sqlhelpers.h"
#include "privacy/tombstones.h"
#include "records/researchgeneration.h"
#include "site/sitelog.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlField>
#include <QSqlQuery>
#include <QSqlRecord>

namespace openaps::site {

namespace {

// Column names that identify a participant, in order of preference.
struct KeyColumn
{
    const char *name;
    ParticipantKey key;
};
const KeyColumn keyColumns[] = {
    { "participant_id", ParticipantKey::ParticipantId },
    { "user_id", ParticipantKey::UserId },
    { "project_member_id", ParticipantKey::UserId }, // the survey tables before migration 0051
    { "member_id", ParticipantKey::MemberId },
};

QString quoted(const QSqlDatabase &db, const QString &table)
{
    return db.driver()->escapeIdentifier(table, QSqlDriver::TableName);
}

Status insertAudit(const QSqlDatabase &db, const QString &event, const QJsonObject &detail)
{
    auto q = sql::exec(db, QStringLiteral("INSERT INTO site_audit (event, detail) VALUES (?, ?)"),
                       { event, QString::fromUtf8(QJsonDocument(detail).toJson(QJsonDocument::Compact)) },
                       "writing an audit record");
    if (!q)
        return q.error();
    return {};
}

Result<std::optional<qint64>> participantIdFor(QSqlDatabase &db, const QString &memberId)
{
    QSqlQuery q(db);
    q.prepare(QStringLiteral("SELECT id FROM participants WHERE member_id = ?"));
    q.addBindValue(memberId);
    if (!q.exec())
        return db::sqlError("finding a participant", q.lastError());
    if (!q.next())
        return std::optional<qint64>();
    return std::optional<qint64>(q.value(0).toLongLong());
}

// A transaction on the calling thread's connection, and the member's
// participant id if the member is known.
struct MemberTransaction
{
    QSqlDatabase db;
    std::optional<qint64> participantId;
};

Result<MemberTransaction> beginForMember(const db::Database &database, const QString &memberId, const char *what)
{
    auto connection = database.connection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = *connection;
    if (!db.transaction())
        return db::sqlError(what, db.lastError());
    auto participantId = participantIdFor(db, memberId);
    if (!participantId) {
        db.rollback();
        return participantId.error();
    }
    return MemberTransaction { db, *participantId };
}

} // namespace

const QStringList &tablesWithoutParticipantData()
{
    static const QStringList tables {
        QStringLiteral("schema_migrations"), // migration bookkeeping
        QStringLiteral("data_rewrites"), // which stored-row rewrites `migrate` made
        QStringLiteral("research_generation"), // one counter the cohort views' cache follows (0110)
        QStringLiteral("oh_master_token_status"), // the project's master token: state and member count (0090)
        QStringLiteral("source_entities"), // the three consent groups
        QStringLiteral("site_rate_limits"), // keyed hashes of client addresses, minutes long
        QStringLiteral("site_audit"), // written without personal data by design
        QStringLiteral("site_webhook_deliveries"), // signatures of webhooks acted on, minutes long
        QStringLiteral("researchers"), // researcher API accounts (0040): no participant data
        QStringLiteral("researcher_codes"),
        QStringLiteral("researcher_limits"),
        QStringLiteral("api_tokens"),
        QStringLiteral("download_audit"), // researchers' downloads: filters hold no member ids
        // researchers' releases (0130): pseudonyms only; the withdrawn list must outlive an erasure
        QStringLiteral("releases"),
        // keyed hashes of erased members (0050): what must outlive an erasure
        QStringLiteral("participant_tombstones"),
        // migrate-legacy's positions in the old tables and its counts (0080)
        QStringLiteral("legacy_migration"),
        QStringLiteral("legacy_migration_counts"),
    };
    return tables;
}

Result<QList<ParticipantTable>> participantTables(const db::Database &database)
{
    auto connection = database.connection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = *connection;
    QStringList names = db.tables(QSql::Tables);
    QStringList views;
    if (database.isPostgres()) {
        // Materialized views hold copies of data; QSql::Tables does not list them.
        QSqlQuery q(db);
        if (!q.exec(QStringLiteral("SELECT matviewname FROM pg_matviews WHERE schemaname = current_schema()")))
            return db::sqlError("listing materialized views", q.lastError());
        while (q.next())
            views.append(q.value(0).toString());
    }
    QList<ParticipantTable> result;
    auto classify = [&](const QString &name, bool view) {
        ParticipantTable t { name, {}, ParticipantKey::None, view };
        if (name == QLatin1String("participants")) {
            t.column = QStringLiteral("id");
            t.key = ParticipantKey::ParticipantId;
        } else {
            const QSqlRecord record = db.record(name);
            for (const KeyColumn &k : keyColumns) {
                if (record.contains(QLatin1String(k.name))) {
                    t.column = QLatin1String(k.name);
                    t.key = k.key;
                    break;
                }
            }
        }
        result.append(t);
    };
    for (const QString &name : std::as_const(names)) {
        // Other sessions' temporary tables (an ETL batch's staging tables,
        // pg_temp_N.*) are theirs alone and vanish with the session.
        if (!name.startsWith(QLatin1String("sqlite_")) && !name.startsWith(QLatin1String("pg_temp")))
            classify(name, false);
    }
    for (const QString &name : std::as_const(views))
        classify(name, true);
    return result;
}

Result<QStringList> unclassifiedTables(const db::Database &database)
{
    auto tables = participantTables(database);
    if (!tables)
        return tables.error();
    QStringList missing;
    for (const ParticipantTable &t : std::as_const(*tables)) {
        if (t.key == ParticipantKey::None && !tablesWithoutParticipantData().contains(t.table))
            missing.append(t.table);
    }
    return missing;
}

Status writeAudit(const db::Database &database, const QString &event, const QJsonObject &detail)
{
    auto db = database.connection();
    if (!db)
        return db.error();
    return insertAudit(*db, event, detail);
}

Result<ErasureReport> eraseMember(const db::Database &database, const privacy::ParticipantKeys &keys,
                                  const QString &memberId)
{
    auto tables = participantTables(database);
    if (!tables)
        return tables.error();
    const bool postgres = database.isPostgres();
    const qint64 pseudonym = keys.pseudonym(memberId);
    bool memberIsNumber = false;
    const qint64 memberNumber = privacy::ParticipantKeys::canonicalMemberId(memberId).toLongLong(&memberIsNumber);
    ErasureReport report;
    const Status erased = sql::inTransaction(database, [&](const QSqlDatabase &db) -> Status {
        // First the participant's row, FOR UPDATE: a writer holding it (an
        // ETL batch, an analytics refresh) finishes first, and its rows are
        // then seen and deleted below; writers coming later wait, then find
        // the row gone and the tombstone written.
        auto found = sql::exec(db,
                               QStringLiteral("SELECT id FROM participants WHERE member_id = ?%1")
                                       .arg(postgres ? QStringLiteral(" FOR UPDATE") : QString()),
                               { memberId }, "finding a participant");
        if (!found)
            return found.error();
        std::optional<qint64> participantId;
        if (found->next())
            participantId = found->value(0).toLongLong();
        found->finish();
        report.found = participantId.has_value();
        // Writers for a member without an account hold this lock shared:
        // their batch finishes first, and its rows are deleted below.
        if (auto s = privacy::lockMemberName(db, keys.tombstone(memberId), true); !s)
            return s;
        if (auto s = privacy::addTombstone(db, keys.tombstone(memberId)); !s)
            return s;

        QList<ParticipantTable> ordered;
        for (const ParticipantTable &t : std::as_const(*tables)) {
            if (t.key == ParticipantKey::None || t.materializedView)
                continue;
            // participants last: other tables may reference it.
            if (t.table == QLatin1String("participants"))
                ordered.append(t);
            else
                ordered.prepend(t);
        }
        for (const ParticipantTable &t : std::as_const(ordered)) {
            const QString column = db.driver()->escapeIdentifier(t.column, QSqlDriver::FieldName);
            QString condition = column + QLatin1String(" = ?");
            QVariantList values;
            switch (t.key) {
            case ParticipantKey::None:
                break;
            case ParticipantKey::ParticipantId:
                if (!participantId)
                    continue;
                values << *participantId;
                break;
            case ParticipantKey::UserId:
                values << pseudonym;
                // A database not yet converted to pseudonyms names the member by number.
                if (memberIsNumber) {
                    condition = column + QLatin1String(" IN (?, ?)");
                    values << memberNumber;
                }
                break;
            case ParticipantKey::MemberId:
                values << memberId;
                break;
            }
            auto deleted = sql::exec(db, QStringLiteral("DELETE FROM %1 WHERE %2").arg(quoted(db, t.table), condition),
                                     values, "erasing a participant");
            if (!deleted)
                return deleted.error();
            const qint64 rows = deleted->numRowsAffected();
            if (rows > 0) {
                ++report.tables;
                report.rows += rows;
                report.rowsByTable[t.table] += rows;
            }
        }
        const QJsonObject detail {
            { QStringLiteral("known"), report.found },
            { QStringLiteral("tables"), report.tables },
            { QStringLiteral("rows"), double(report.rows) },
        };
        if (auto s = insertAudit(db, QStringLiteral("participant.erased"), detail); !s)
            return s;
        // Cached cohort views counted this participant.
        return records::bumpResearchGeneration(db);
    });
    if (!erased)
        return erased.error();

    auto connection = database.connection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = *connection;
    for (const ParticipantTable &t : std::as_const(*tables)) {
        if (!t.materializedView || t.key == ParticipantKey::None)
            continue;
        QSqlQuery refresh(db);
        if (!refresh.exec(QStringLiteral("REFRESH MATERIALIZED VIEW %1").arg(quoted(db, t.table))))
            return db::sqlError("refreshing a derived view after erasure", refresh.lastError());
    }
    qCInfo(lcSite, "erasure finished: %d tables, %lld rows", report.tables, report.rows);
    return report;
}

Result<bool> deauthorizeMember(const db::Database &database, const QString &memberId)
{
    auto transaction = beginForMember(database, memberId, "starting the deauthorisation");
    if (!transaction)
        return transaction.error();
    QSqlDatabase &db = transaction->db;
    const std::optional<qint64> participantId = transaction->participantId;
    auto fail = [&db](const Error &e) {
        db.rollback();
        return e;
    };
    const bool found = participantId.has_value();
    if (found) {
        // Open Humans has revoked the tokens; dropping them stops every job
        // that would try them, and the timestamp tells ingest to skip.
        if (auto q = sql::exec(db,
                               QStringLiteral("UPDATE participants SET deauthorized_at = ?, "
                                              "access_token_enc = NULL, refresh_token_enc = NULL, "
                                              "token_expires_at = NULL, updated_at = ? WHERE id = ?"),
                               { QDateTime::currentDateTimeUtc(), QDateTime::currentDateTimeUtc(), *participantId },
                               "marking a participant deauthorised");
            !q)
            return fail(q.error());
        if (auto q = sql::exec(db, QStringLiteral("DELETE FROM site_sessions WHERE participant_id = ?"),
                               { *participantId }, "ending sessions");
            !q)
            return fail(q.error());
    }
    const QJsonObject detail { { QStringLiteral("known"), found } };
    if (auto s = insertAudit(db, QStringLiteral("participant.deauthorised"), detail); !s)
        return fail(s.error());
    if (!db.commit())
        return fail(db::sqlError("finishing the deauthorisation", db.lastError()));
    return found;
}

} // namespace openaps::site
