#include "etl/sqldialect.h"

#include "core/civildate.h"
#include "records/nstime.h"

#include <QDate>
#include <QDateTime>

namespace openaps::etl {

QString epochMsSql(const db::Database &database)
{
    if (database.isPostgres())
        return QStringLiteral("(EXTRACT(EPOCH FROM %1) * 1000)::bigint");
    // The ETL writes times as 2024-01-31T12:00:00.000Z (records::formatUtc).
    return QStringLiteral("(CAST(strftime('%s', %1) AS INTEGER) * 1000 + CAST(substr(%1, 21, 3) AS INTEGER))");
}

QVariant timeValue(const db::Database &database, qint64 utcMs)
{
    if (database.isPostgres())
        return QDateTime::fromMSecsSinceEpoch(utcMs, Qt::UTC);
    return records::formatUtcString(utcMs);
}

QVariant dateValue(qint64 day)
{
    int y = 0, m = 0, d = 0;
    civil::civilFromDays(day, y, m, d);
    return QDate(y, m, d).toString(Qt::ISODate);
}

qint64 dayOf(const QVariant &value)
{
    const QDate date = value.toDate();
    return civil::daysFromCivil(date.year(), date.month(), date.day());
}

} // namespace openaps::etl
