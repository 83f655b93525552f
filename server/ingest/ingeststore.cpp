#include "ingest/ingeststore.h"

#include "db/sqlhelpers.h"
#include "records/datatype.h"

#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>

namespace openaps::ingest {

namespace {

QVariant nullTime()
{
    return QVariant(QMetaType::fromType<QDateTime>());
}

QVariant nullText()
{
    return QVariant(QMetaType::fromType<QString>());
}

QString outcomeName(RunRecord::Outcome outcome)
{
    switch (outcome) {
    case RunRecord::Outcome::Ok:
        return QStringLiteral("ok");
    case RunRecord::Outcome::Skipped:
        return QStringLiteral("skipped");
    case RunRecord::Outcome::Failed:
        return QStringLiteral("failed");
    }
    return {};
}

} // namespace

std::chrono::seconds backoffDelay(int failures)
{
    if (failures <= 0)
        return std::chrono::seconds(0);
    const qint64 base = 15 * 60;
    const qint64 cap = 24 * 3600;
    const int doublings = std::min(failures - 1, 12);
    return std::chrono::seconds(std::min(base << doublings, cap));
}

IngestStore::IngestStore(db::Database database) : m_database(std::move(database)) { }

Result<std::optional<IngestStore::Participant>> IngestStore::participant(qint64 participantId) const
{
    auto db = m_database.connection();
    if (!db)
        return db.error();
    QSqlQuery q(*db);
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT member_id, deauthorized_at FROM participants WHERE id = ?"));
    q.addBindValue(participantId);
    if (auto s = sql::run(q, "reading a participant"); !s)
        return s.error();
    if (!q.next())
        return std::optional<Participant>();
    return std::optional<Participant>(Participant { participantId, q.value(0).toString(), !q.value(1).isNull() });
}

Status IngestStore::markDeauthorized(qint64 participantId, const QDateTime &at)
{
    auto db = m_database.connection();
    if (!db)
        return db.error();
    QSqlQuery q(*db);
    // The tokens are dead: keep nothing that looks usable.
    q.prepare(QStringLiteral("UPDATE participants SET deauthorized_at = ?, access_token_enc = NULL, "
                             "refresh_token_enc = NULL, token_expires_at = NULL, updated_at = ? "
                             "WHERE id = ?"));
    q.addBindValue(at.toUTC());
    q.addBindValue(at.toUTC());
    q.addBindValue(participantId);
    return sql::run(q, "marking a participant deauthorised");
}

Result<QHash<records::DataType, TypeCursor>> IngestStore::cursors(qint64 participantId) const
{
    auto db = m_database.connection();
    if (!db)
        return db.error();
    QSqlQuery q(*db);
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT data_type, cursor_ms, recent, records_stored FROM ingest_cursors "
                             "WHERE participant_id = ?"));
    q.addBindValue(participantId);
    if (auto s = sql::run(q, "reading ingest cursors"); !s)
        return s.error();
    QHash<records::DataType, TypeCursor> cursors;
    while (q.next()) {
        const auto type = records::dataTypeFromName(q.value(0).toString());
        if (!type)
            continue;
        TypeCursor c;
        c.exists = true;
        c.cursorMs = q.value(1).toLongLong();
        c.recent = q.value(2).toString().toLatin1();
        c.recordsStored = q.value(3).toLongLong();
        cursors.insert(*type, c);
    }
    return cursors;
}

Status IngestStore::saveCursor(qint64 participantId, records::DataType type, const TypeCursor &cursor,
                               const QDateTime &at)
{
    auto db = m_database.connection();
    if (!db)
        return db.error();
    QSqlQuery q(*db);
    q.prepare(
            QStringLiteral("INSERT INTO ingest_cursors (participant_id, data_type, cursor_ms, recent, records_stored, "
                           "updated_ms) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (participant_id, data_type) DO UPDATE "
                           "SET cursor_ms = excluded.cursor_ms, recent = excluded.recent, "
                           "records_stored = excluded.records_stored, updated_ms = excluded.updated_ms"));
    q.addBindValue(participantId);
    q.addBindValue(records::dataTypeName(type));
    q.addBindValue(cursor.cursorMs);
    q.addBindValue(QString::fromLatin1(cursor.recent));
    q.addBindValue(cursor.recordsStored);
    q.addBindValue(at.toMSecsSinceEpoch());
    return sql::run(q, "storing an ingest cursor");
}

Status IngestStore::recordRun(qint64 participantId, const RunRecord &r)
{
    auto connection = m_database.connection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = *connection;
    if (!db.transaction())
        return db::sqlError("starting a transaction", db.lastError());
    const auto fail = [&db](const Error &e) {
        db.rollback();
        return e;
    };
    const bool ok = r.outcome == RunRecord::Outcome::Ok;
    const bool failed = r.outcome == RunRecord::Outcome::Failed;
    const QDateTime at = r.at.toUTC();

    QSqlQuery status(db);
    status.prepare(QStringLiteral(
            "INSERT INTO participant_status (participant_id, last_attempt_at, last_success_at, "
            "last_error_code, last_error_message, last_error_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (participant_id) DO UPDATE SET last_attempt_at = excluded.last_attempt_at, "
            "last_success_at = COALESCE(excluded.last_success_at, participant_status.last_success_at), "
            "last_error_code = excluded.last_error_code, last_error_message = excluded.last_error_message, "
            "last_error_at = COALESCE(excluded.last_error_at, participant_status.last_error_at), "
            "updated_at = excluded.updated_at"));
    status.addBindValue(participantId);
    status.addBindValue(at);
    status.addBindValue(ok ? QVariant(at) : nullTime());
    status.addBindValue(ok ? nullText() : QVariant(r.errorCode));
    status.addBindValue(ok ? nullText() : QVariant(r.errorMessage));
    status.addBindValue(ok ? nullTime() : QVariant(at));
    status.addBindValue(at);
    if (auto s = sql::run(status, "recording the transfer status"); !s)
        return fail(s.error());

    for (auto it = r.moved.cbegin(); it != r.moved.cend(); ++it) {
        if (it.value() <= 0)
            continue;
        QSqlQuery moved(db);
        moved.prepare(
                QStringLiteral("INSERT INTO participant_type_status (participant_id, data_type, records_moved, "
                               "last_moved_at) VALUES (?, ?, ?, ?) ON CONFLICT (participant_id, data_type) DO UPDATE "
                               "SET records_moved = participant_type_status.records_moved + excluded.records_moved, "
                               "last_moved_at = excluded.last_moved_at"));
        moved.addBindValue(participantId);
        moved.addBindValue(records::dataTypeName(it.key()));
        moved.addBindValue(it.value());
        moved.addBindValue(at);
        if (auto s = sql::run(moved, "recording records moved"); !s)
            return fail(s.error());
    }

    QSqlQuery previous(db);
    previous.setForwardOnly(true);
    previous.prepare(QStringLiteral("SELECT failures FROM ingest_participants WHERE participant_id = ?"));
    previous.addBindValue(participantId);
    if (auto s = sql::run(previous, "reading the backoff"); !s)
        return fail(s.error());
    const int failures = failed ? (previous.next() ? previous.value(0).toInt() : 0) + 1 : 0;
    previous.finish();
    const auto delay = backoffDelay(failures);
    QSqlQuery backoff(db);
    backoff.prepare(
            QStringLiteral("INSERT INTO ingest_participants (participant_id, failures, next_attempt_ms, last_outcome, "
                           "last_error_code, runs, last_holder, last_run_ms) VALUES (?, ?, ?, ?, ?, 1, ?, ?) "
                           "ON CONFLICT (participant_id) DO UPDATE SET failures = excluded.failures, "
                           "next_attempt_ms = excluded.next_attempt_ms, last_outcome = excluded.last_outcome, "
                           "last_error_code = excluded.last_error_code, runs = ingest_participants.runs + 1, "
                           "last_holder = excluded.last_holder, last_run_ms = excluded.last_run_ms"));
    backoff.addBindValue(participantId);
    backoff.addBindValue(failures);
    backoff.addBindValue(failures > 0 ? QVariant(at.toMSecsSinceEpoch() + qint64(delay.count()) * 1000)
                                      : QVariant(QMetaType::fromType<qint64>()));
    backoff.addBindValue(outcomeName(r.outcome));
    backoff.addBindValue(ok ? nullText() : QVariant(r.errorCode));
    backoff.addBindValue(r.holder);
    backoff.addBindValue(at.toMSecsSinceEpoch());
    if (auto s = sql::run(backoff, "recording the backoff"); !s)
        return fail(s.error());
    if (!db.commit())
        return fail(db::sqlError("committing the run record", db.lastError()));
    return {};
}

Result<std::optional<QDateTime>> IngestStore::notBefore(qint64 participantId) const
{
    auto db = m_database.connection();
    if (!db)
        return db.error();
    QSqlQuery q(*db);
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT next_attempt_ms FROM ingest_participants WHERE participant_id = ?"));
    q.addBindValue(participantId);
    if (auto s = sql::run(q, "reading the backoff"); !s)
        return s.error();
    if (!q.next() || q.value(0).isNull())
        return std::optional<QDateTime>();
    return std::optional<QDateTime>(QDateTime::fromMSecsSinceEpoch(q.value(0).toLongLong(), Qt::UTC));
}

} // namespace openaps::ingest
