#include "etl/etlstate.h"

#include "db/sqlhelpers.h"
#include "privacy/tombstones.h"
#include "records/datatype.h"

#include <QSqlQuery>

namespace openaps::etl {

namespace {

QString stamp(const QDateTime &t)
{
    return t.isValid() ? t.toUTC().toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzzZ")) : QString();
}

QVariant stampOrNull(const QDateTime &t)
{
    return t.isValid() ? QVariant(stamp(t)) : sql::nullText();
}

QDateTime timeFromDb(const QVariant &v)
{
    QDateTime t = v.toDateTime();
    if (!t.isValid())
        t = QDateTime::fromString(v.toString(), Qt::ISODateWithMs);
    return t.toUTC();
}

} // namespace

Result<QHash<QString, LoadedFile>> EtlState::files(qint64 participantId) const
{
    auto conn = m_database.connection();
    if (!conn)
        return conn.error();
    auto q = sql::exec(*conn,
                       QStringLiteral("SELECT file_id, basename, size, created, status, attempts FROM etl_files "
                                      "WHERE participant_id = ?"),
                       { participantId }, "reading loaded files");
    if (!q)
        return q.error();
    QHash<QString, LoadedFile> files;
    while (q->next()) {
        LoadedFile f;
        f.basename = q->value(1).toString();
        if (!q->value(2).isNull())
            f.size = q->value(2).toLongLong();
        f.created = timeFromDb(q->value(3));
        f.loaded = q->value(4).toString() == QLatin1String("loaded");
        f.attempts = q->value(5).toInt();
        files.insert(q->value(0).toString(), f);
    }
    return files;
}

bool EtlState::needsLoad(const RemoteFile &file, const LoadedFile *known)
{
    if (!known || !known->loaded)
        return true;
    if (known->basename != file.basename)
        return true;
    if (file.size && known->size && *file.size != *known->size)
        return true;
    // Compare at millisecond precision (what the database keeps).
    if (file.created.isValid() && known->created.isValid()
        && file.created.toMSecsSinceEpoch() != known->created.toMSecsSinceEpoch())
        return true;
    return false;
}

Status EtlState::recordFile(qint64 participantId, const RemoteFile &file, records::DataType type,
                            const FileReport *report, const QString &error)
{
    auto conn = m_database.connection();
    if (!conn)
        return conn.error();
    const bool loaded = report && report->readError.isEmpty() && error.isEmpty();
    const QString problem = !error.isEmpty() ? error : (report ? report->readError : QString());
    const QString now = stamp(QDateTime::currentDateTimeUtc());
    auto q = sql::exec(
            *conn,
            QStringLiteral(
                    "INSERT INTO etl_files (participant_id, file_id, basename, data_type, size, created, status, "
                    "records, rows_new, rows_updated, rows_duplicate, bad_lines, bad_line_report, error, "
                    "attempts, loaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?) "
                    "ON CONFLICT (participant_id, file_id) DO UPDATE SET basename = excluded.basename, "
                    "data_type = excluded.data_type, size = excluded.size, created = excluded.created, "
                    "status = excluded.status, records = excluded.records, rows_new = excluded.rows_new, "
                    "rows_updated = excluded.rows_updated, rows_duplicate = excluded.rows_duplicate, "
                    "bad_lines = excluded.bad_lines, bad_line_report = excluded.bad_line_report, "
                    "error = excluded.error, attempts = etl_files.attempts + 1, loaded_at = excluded.loaded_at"),
            { participantId, file.id, file.basename, records::dataTypeName(type),
              file.size ? QVariant(*file.size) : QVariant(QMetaType::fromType<qint64>()), stampOrNull(file.created),
              loaded ? QStringLiteral("loaded") : QStringLiteral("failed"), report ? report->records : 0,
              report ? report->rows.inserted : 0, report ? report->rows.updated : 0,
              report ? report->rows.duplicates : 0, report ? report->badLines : 0,
              report && report->badLines ? QVariant(report->badLineSummary()) : sql::nullText(),
              problem.isEmpty() ? sql::nullText() : QVariant(problem), now },
            "recording a loaded file");
    if (!q)
        return q.error();
    return {};
}

Status EtlState::forgetFilesExcept(qint64 participantId, const QSet<QString> &listedIds)
{
    auto known = files(participantId);
    if (!known)
        return known.error();
    auto conn = m_database.connection();
    if (!conn)
        return conn.error();
    for (auto it = known->cbegin(); it != known->cend(); ++it) {
        if (listedIds.contains(it.key()))
            continue;
        auto q = sql::exec(*conn, QStringLiteral("DELETE FROM etl_files WHERE participant_id = ? AND file_id = ?"),
                           { participantId, it.key() }, "forgetting a file");
        if (!q)
            return q.error();
    }
    return {};
}

Result<std::optional<QString>> EtlState::consent(qint64 participantId) const
{
    auto conn = m_database.connection();
    if (!conn)
        return conn.error();
    auto q = sql::exec(*conn, QStringLiteral("SELECT consent FROM etl_participants WHERE participant_id = ?"),
                       { participantId }, "reading the stamped consent");
    if (!q)
        return q.error();
    if (!q->next() || q->value(0).isNull())
        return std::optional<QString>();
    return std::optional<QString>(q->value(0).toString());
}

Status EtlState::recordCycle(qint64 participantId, const QString &consent, const QString &error)
{
    auto conn = m_database.connection();
    if (!conn)
        return conn.error();
    const QString now = stamp(QDateTime::currentDateTimeUtc());
    auto q = sql::exec(
            *conn,
            QStringLiteral("INSERT INTO etl_participants (participant_id, consent, last_cycle_at, "
                           "last_success_at, last_error) VALUES (?, ?, ?, ?, ?) "
                           "ON CONFLICT (participant_id) DO UPDATE SET "
                           "consent = COALESCE(excluded.consent, etl_participants.consent), "
                           "last_cycle_at = excluded.last_cycle_at, "
                           "last_success_at = COALESCE(excluded.last_success_at, etl_participants.last_success_at), "
                           "last_error = excluded.last_error"),
            { participantId, consent.isEmpty() ? sql::nullText() : QVariant(consent), now,
              error.isEmpty() ? QVariant(now) : sql::nullText(), error.isEmpty() ? sql::nullText() : QVariant(error) },
            "recording the cycle");
    if (!q)
        return q.error();
    return {};
}

Result<QString> EtlState::memberId(qint64 participantId) const
{
    auto conn = m_database.connection();
    if (!conn)
        return conn.error();
    auto q = sql::exec(*conn, QStringLiteral("SELECT member_id FROM participants WHERE id = ?"), { participantId },
                       "reading the member id");
    if (!q)
        return q.error();
    if (!q->next())
        return makeError(privacy::erasedCode, QStringLiteral("Participant %1 does not exist.").arg(participantId));
    return q->value(0).toString();
}

} // namespace openaps::etl
