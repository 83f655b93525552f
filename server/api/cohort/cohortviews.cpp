#include "api/cohort/cohortviews.h"

#include "api/researcher.h"

#include <QHash>
#include <QMap>
#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>

namespace openaps::api {

namespace {

// "participant column in scope", as EXISTS over the consent tables. The
// values are integers from the researcher's scope, never user input.
QString inScope(const QString &participantColumn, const QList<int> &sourceEntities)
{
    QStringList values;
    for (int v : sourceEntities)
        values << QString::number(v);
    const QString list = values.isEmpty() ? QStringLiteral("NULL") : values.join(QLatin1Char(','));
    QStringList exists;
    for (const char *table : consentTables) {
        exists << QStringLiteral("EXISTS (SELECT 1 FROM %1 r WHERE r.user_id = %2 AND r.source_entity IN (%3))")
                          .arg(QLatin1String(table), participantColumn, list);
    }
    return QLatin1Char('(') + exists.join(QLatin1String(" OR ")) + QLatin1Char(')');
}

QString category(const QVariant &value)
{
    const QString text = value.toString().trimmed();
    return value.isNull() || text.isEmpty() ? QStringLiteral("unknown") : text;
}

} // namespace

Result<QJsonObject> demographicsView(QSqlDatabase &db, const CohortScope &scope)
{
    static const char *const dimensions[] = { "age_bracket", "years_since_diagnosed_bracket", "gender",
                                              "country_corrected" };
    QSqlQuery q(db);
    q.setForwardOnly(true);
    const QString sql = QStringLiteral("SELECT d.user_id, d.age_bracket, d.years_since_diagnosed_bracket, d.gender, "
                                       "d.country_corrected FROM analytics_demographics d WHERE d.user_id IS NOT NULL "
                                       "AND %1 ORDER BY d.user_id, d.ts, d.seq_id")
                                .arg(inScope(QStringLiteral("d.user_id"), scope.sourceEntities));
    if (!q.exec(sql))
        return makeError("internal", QStringLiteral("demographics view: %1").arg(q.lastError().text()));
    // The latest answer of each participant (rows come in time order).
    QHash<qint64, QStringList> latest;
    while (q.next()) {
        QStringList answer;
        for (int i = 1; i <= 4; ++i)
            answer << category(q.value(i));
        latest.insert(q.value(0).toLongLong(), answer);
    }
    QJsonArray groups;
    for (int d = 0; d < 4; ++d) {
        QMap<QString, qint64> counts; // sorted keys: a stable answer
        for (const QStringList &answer : std::as_const(latest))
            ++counts[answer[d]];
        CohortGroup group;
        group.name = QLatin1String(dimensions[d]);
        for (auto it = counts.cbegin(); it != counts.cend(); ++it)
            group.cells.append({ it.key(), it.value(), double(it.value()) });
        suppressSmallCells(group, scope.minParticipants);
        groups.append(QJsonObject { { QStringLiteral("name"), group.name },
                                    { QStringLiteral("cells"), cellsJson(group, false) } });
    }
    const qint64 participants = latest.size();
    return QJsonObject { { QStringLiteral("view"), QStringLiteral("demographics") },
                         { QStringLiteral("k"), scope.minParticipants },
                         { QStringLiteral("participants"),
                           participants < scope.minParticipants ? QJsonValue() : QJsonValue(double(participants)) },
                         { QStringLiteral("groups"), groups } };
}

} // namespace openaps::api
