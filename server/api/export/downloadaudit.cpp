#include "api/export/downloadaudit.h"

#include "api/export/exportparams.h"

#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>

namespace openaps::api {

namespace {

// SQLite stores times as ISO text, PostgreSQL as timestamptz; both read
// this form back (and the API writes times this way).
QVariant timeValue(const QDateTime &time)
{
    return time.isValid() ? QVariant(formatApiTime(time)) : QVariant(QMetaType(QMetaType::QString));
}

QJsonValue timeJson(const QVariant &value)
{
    if (value.isNull())
        return QJsonValue::Null;
    QDateTime time = value.toDateTime();
    if (!time.isValid())
        time = QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
    return time.isValid() ? QJsonValue(formatApiTime(time)) : QJsonValue(value.toString());
}

} // namespace

Status recordDownload(const db::Database &database, const DownloadRecord &r)
{
    auto connection = database.connection();
    if (!connection)
        return connection.error();
    QSqlQuery q(*connection);
    q.prepare(QStringLiteral("INSERT INTO download_audit (researcher_id, dataset, filters, format, row_count, "
                             "byte_count, started_at, finished_at, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    q.addBindValue(r.researcherId);
    q.addBindValue(r.dataset);
    q.addBindValue(QString::fromUtf8(QJsonDocument(r.filters).toJson(QJsonDocument::Compact)));
    q.addBindValue(r.format);
    q.addBindValue(r.rows);
    q.addBindValue(r.bytes);
    q.addBindValue(timeValue(r.startedAt));
    q.addBindValue(timeValue(r.finishedAt));
    q.addBindValue(r.outcome);
    if (!q.exec())
        return db::sqlError("recording a download", q.lastError());
    return {};
}

Result<QJsonArray> recentDownloads(const db::Database &database, int limit)
{
    auto connection = database.connection();
    if (!connection)
        return connection.error();
    QSqlQuery q(*connection);
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT id, researcher_id, dataset, filters, format, row_count, byte_count, "
                             "started_at, finished_at, outcome FROM download_audit "
                             "ORDER BY started_at DESC, id DESC LIMIT ?"));
    q.addBindValue(limit);
    if (!q.exec())
        return db::sqlError("listing downloads", q.lastError());
    QJsonArray rows;
    while (q.next()) {
        rows.append(QJsonObject {
                { QStringLiteral("id"), q.value(0).toLongLong() },
                { QStringLiteral("researcher_id"), q.value(1).toLongLong() },
                { QStringLiteral("dataset"), q.value(2).toString() },
                { QStringLiteral("filters"), QJsonDocument::fromJson(q.value(3).toString().toUtf8()).object() },
                { QStringLiteral("format"), q.value(4).toString() },
                { QStringLiteral("rows"), q.value(5).toLongLong() },
                { QStringLiteral("bytes"), q.value(6).toLongLong() },
                { QStringLiteral("started_at"), timeJson(q.value(7)) },
                { QStringLiteral("finished_at"), timeJson(q.value(8)) },
                { QStringLiteral("outcome"), q.value(9).toString() },
        });
    }
    return rows;
}

} // namespace openaps::api
