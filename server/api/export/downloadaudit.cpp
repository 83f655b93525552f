#include "api/export/downloadaudit.h"

#include "api/export/exportparams.h"
#include "db/sqlhelpers.h"

#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>
#include <QTimeZone>

namespace openaps::api {

namespace {

// SQLite stores times as ISO text, PostgreSQL as timestamptz; both read
// this form back (and the API writes times this way).
QVariant timeValue(const QDateTime &time)
{
    return time.isValid() ? QVariant(formatApiTime(time)) : QVariant(QMetaType(QMetaType::QString));
}

QDateTime timeOf(const QVariant &value)
{
    if (value.isNull())
        return {};
    QDateTime time = value.toDateTime();
    if (!time.isValid())
        time = QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
    return time;
}

QJsonValue timeJson(const QVariant &value)
{
    if (value.isNull())
        return QJsonValue::Null;
    const QDateTime time = timeOf(value);
    return time.isValid() ? QJsonValue(formatApiTime(time)) : QJsonValue(value.toString());
}

// Conditions on started_at for [from, to), values appended to `binds`.
QString startedIn(const db::Database &database, const std::optional<QDateTime> &from,
                  const std::optional<QDateTime> &to, const QString &column, QVariantList &binds)
{
    const QString value = database.isPostgres() ? QStringLiteral("CAST(? AS timestamptz)") : QStringLiteral("?");
    QStringList where;
    if (from) {
        where << QStringLiteral("%1 >= %2").arg(column, value);
        binds << formatApiTime(*from);
    }
    if (to) {
        where << QStringLiteral("%1 < %2").arg(column, value);
        binds << formatApiTime(*to);
    }
    return where.isEmpty() ? QStringLiteral("1=1") : where.join(QLatin1String(" AND "));
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

Result<QJsonObject> listDownloads(const db::Database &database, const DownloadFilter &filter)
{
    QVariantList binds;
    QStringList where { startedIn(database, filter.from, filter.to, QStringLiteral("started_at"), binds) };
    if (filter.researcherId) {
        where << QStringLiteral("researcher_id = ?");
        binds << *filter.researcherId;
    }
    if (!filter.dataset.isEmpty()) {
        where << QStringLiteral("dataset = ?");
        binds << filter.dataset;
    }
    const QString condition = where.join(QLatin1String(" AND "));
    auto total = sql::exec(database, QStringLiteral("SELECT COUNT(*) FROM download_audit WHERE %1").arg(condition),
                           binds, "counting downloads");
    if (!total)
        return total.error();
    const qint64 matching = total->next() ? total->value(0).toLongLong() : 0;
    auto q = sql::exec(database,
                       QStringLiteral("SELECT id, researcher_id, dataset, filters, format, row_count, byte_count, "
                                      "started_at, finished_at, outcome FROM download_audit WHERE %1 "
                                      "ORDER BY started_at DESC, id DESC LIMIT ? OFFSET ?")
                               .arg(condition),
                       binds + QVariantList { filter.limit, filter.offset }, "listing downloads");
    if (!q)
        return q.error();
    QJsonArray rows;
    while (q->next()) {
        rows.append(QJsonObject {
                { QStringLiteral("id"), q->value(0).toLongLong() },
                { QStringLiteral("researcher_id"), q->value(1).toLongLong() },
                { QStringLiteral("dataset"), q->value(2).toString() },
                { QStringLiteral("filters"), QJsonDocument::fromJson(q->value(3).toString().toUtf8()).object() },
                { QStringLiteral("format"), q->value(4).toString() },
                { QStringLiteral("rows"), q->value(5).toLongLong() },
                { QStringLiteral("bytes"), q->value(6).toLongLong() },
                { QStringLiteral("started_at"), timeJson(q->value(7)) },
                { QStringLiteral("finished_at"), timeJson(q->value(8)) },
                { QStringLiteral("outcome"), q->value(9).toString() },
        });
    }
    return QJsonObject { { QStringLiteral("downloads"), rows },
                         { QStringLiteral("total"), matching },
                         { QStringLiteral("limit"), filter.limit },
                         { QStringLiteral("offset"), filter.offset } };
}

Result<QJsonArray> researcherUsage(const db::Database &database, const std::optional<QDateTime> &from,
                                   const std::optional<QDateTime> &to)
{
    QVariantList binds;
    const QString window = startedIn(database, from, to, QStringLiteral("a.started_at"), binds);
    auto q = sql::exec(
            database,
            QStringLiteral("SELECT r.id, r.name, r.email, r.institution, r.status, COUNT(a.id), "
                           "SUM(CASE WHEN a.outcome = 'complete' THEN 1 ELSE 0 END), COALESCE(SUM(a.row_count), 0), "
                           "COALESCE(SUM(a.byte_count), 0), MAX(a.started_at), "
                           "(SELECT MAX(t.last_used_ms) FROM api_tokens t WHERE t.researcher_id = r.id) "
                           "FROM researchers r LEFT JOIN download_audit a ON a.researcher_id = r.id AND %1 "
                           "WHERE r.status IN ('approved', 'deactivated') "
                           "GROUP BY r.id, r.name, r.email, r.institution, r.status "
                           "ORDER BY COALESCE(SUM(a.byte_count), 0) DESC, r.id")
                    .arg(window),
            binds, "summing up downloads");
    if (!q)
        return q.error();
    QJsonArray researchers;
    while (q->next()) {
        const QDateTime lastDownload = timeOf(q->value(9));
        QDateTime lastActivity = lastDownload;
        if (!q->value(10).isNull()) {
            // A sign-in's last use counts when it falls in the window.
            const QDateTime used = QDateTime::fromMSecsSinceEpoch(q->value(10).toLongLong(), QTimeZone::utc());
            if ((!from || used >= *from) && (!to || used < *to) && (!lastActivity.isValid() || used > lastActivity))
                lastActivity = used;
        }
        const auto time = [](const QDateTime &t) { return t.isValid() ? QJsonValue(formatApiTime(t)) : QJsonValue(); };
        researchers.append(QJsonObject {
                { QStringLiteral("researcher_id"), q->value(0).toLongLong() },
                { QStringLiteral("name"), q->value(1).toString() },
                { QStringLiteral("email"), q->value(2).toString() },
                { QStringLiteral("institution"), q->value(3).toString() },
                { QStringLiteral("status"), q->value(4).toString() },
                { QStringLiteral("downloads"), q->value(5).toLongLong() },
                { QStringLiteral("complete"), q->value(6).toLongLong() },
                { QStringLiteral("rows"), q->value(7).toLongLong() },
                { QStringLiteral("bytes"), q->value(8).toLongLong() },
                { QStringLiteral("last_download_at"), time(lastDownload) },
                { QStringLiteral("last_activity"), time(lastActivity) },
        });
    }
    return researchers;
}

} // namespace openaps::api
