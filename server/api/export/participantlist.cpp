#include "api/export/participantlist.h"

#include "api/export/exportparams.h"
#include "db/sqlhelpers.h"

#include <QJsonObject>
#include <QStringList>

namespace openaps::api {

namespace {

QString consentName(int sourceEntity)
{
    switch (sourceEntity) {
    case 0:
        return QStringLiteral("openaps");
    case 1:
        return QStringLiteral("nsf");
    case 2:
        return QStringLiteral("both");
    }
    return {};
}

// SQLite holds the API's own format already; PostgreSQL gives a QDateTime.
QJsonValue apiTime(const QVariant &value)
{
    if (value.isNull())
        return QJsonValue::Null;
    if (value.metaType().id() == QMetaType::QDateTime)
        return formatApiTime(value.toDateTime());
    return value.toString();
}

} // namespace

Result<QJsonArray> listParticipants(const db::Database &database, const QList<int> &sourceEntities)
{
    QJsonArray list;
    if (sourceEntities.isEmpty())
        return list;
    QStringList marks;
    QVariantList binds;
    for (int entity : sourceEntities) {
        marks << QStringLiteral("?");
        binds << entity;
    }
    auto q = sql::exec(database,
                       QStringLiteral("SELECT user_id, source_entity, first_reading, last_reading, days_with_data, "
                                      "sufficient FROM participant_summary WHERE period = 'all' "
                                      "AND source_entity IN (%1) ORDER BY user_id")
                               .arg(marks.join(QLatin1String(", "))),
                       binds, "listing participants");
    if (!q)
        return q.error();
    while (q->next()) {
        list.append(QJsonObject {
                { QStringLiteral("user_id"), q->value(0).toLongLong() },
                { QStringLiteral("consent"), consentName(q->value(1).toInt()) },
                { QStringLiteral("first_data"), apiTime(q->value(2)) },
                { QStringLiteral("last_data"), apiTime(q->value(3)) },
                { QStringLiteral("days_with_data"), q->value(4).toInt() },
                { QStringLiteral("sufficient"), q->value(5).toBool() },
        });
    }
    return list;
}

} // namespace openaps::api
