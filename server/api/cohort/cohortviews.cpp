#include "api/cohort/cohortviews.h"

#include "api/cohort/cohortsql.h"
#include "api/export/exportparams.h"
#include "api/researcher.h"

#include <QHash>
#include <QMap>
#include <QSqlError>
#include <QStringList>

#include <functional>

namespace openaps::api {

namespace cohort {

CohortQuery::CohortQuery(const QSqlDatabase &db, const CohortScope &scope)
    : m_db(db),
      m_scope(scope),
      m_postgres(db.driverName() == QLatin1String("QPSQL"))
{ }

QString CohortQuery::inScope(const QString &sourceColumn) const
{
    QStringList values;
    for (int v : m_scope.sourceEntities)
        values << QString::number(v);
    return QStringLiteral("%1 IN (%2)")
            .arg(sourceColumn, values.isEmpty() ? QStringLiteral("NULL") : values.join(u','));
}

QString CohortQuery::bound(const std::optional<QDateTime> &time, const char *op, const QString &column)
{
    if (!time)
        return QStringLiteral("1=1");
    // SQLite keeps times as ISO text in this very form; PostgreSQL as timestamptz.
    m_values << formatApiTime(*time);
    return QStringLiteral("%1 %2 %3")
            .arg(column, QLatin1String(op),
                 m_postgres ? QStringLiteral("CAST(? AS timestamptz)") : QStringLiteral("?"));
}

QString CohortQuery::notBeforeFrom(const QString &timeColumn)
{
    return bound(m_scope.from, ">=", timeColumn);
}

QString CohortQuery::beforeTo(const QString &timeColumn)
{
    return bound(m_scope.to, "<", timeColumn);
}

QString CohortQuery::inWindow(const QString &timeColumn)
{
    const QString from = notBeforeFrom(timeColumn); // bound first
    return from + QLatin1String(" AND ") + beforeTo(timeColumn);
}

QString CohortQuery::bind(const QVariant &value)
{
    m_values << value;
    return QStringLiteral("?");
}

QString CohortQuery::bindTime(qint64 utcMs)
{
    m_values << formatApiTime(QDateTime::fromMSecsSinceEpoch(utcMs, Qt::UTC));
    return m_postgres ? QStringLiteral("CAST(? AS timestamptz)") : QStringLiteral("?");
}

Result<QSqlQuery> CohortQuery::exec(const QString &sql, const char *what)
{
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    q.prepare(sql);
    for (const QVariant &v : std::as_const(m_values))
        q.addBindValue(v);
    if (!q.exec())
        return makeError("internal", QStringLiteral("%1: %2").arg(QLatin1String(what), q.lastError().text()));
    return q;
}

MonthWindow MonthWindow::of(const CohortScope &scope)
{
    const auto monthOf = [](const QDate &day) { return QDate(day.year(), day.month(), 1); };
    MonthWindow window;
    if (scope.from)
        window.first = monthOf(scope.from->date());
    if (scope.to)
        window.last = monthOf(scope.to->addMSecs(-1).date());
    return window;
}

CohortGroup countGroup(const QString &name, const QList<std::pair<QString, qint64>> &counts, bool partition)
{
    CohortGroup group;
    group.name = name;
    group.partition = partition;
    for (const auto &[key, participants] : counts) {
        if (participants > 0)
            group.cells.append({ key, participants, double(participants), {} });
    }
    return group;
}

QJsonObject viewJson(const QString &view, const CohortScope &scope, qint64 participants, QList<CohortGroup> groups)
{
    const int k = scope.minParticipants;
    QJsonArray groupsJson;
    for (CohortGroup &group : groups)
        groupsJson.append(suppressedGroupJson(std::move(group), k));
    return QJsonObject { { QStringLiteral("view"), view },
                         { QStringLiteral("k"), k },
                         { QStringLiteral("from"), apiTimeJson(scope.from) },
                         { QStringLiteral("to"), apiTimeJson(scope.to) },
                         { QStringLiteral("participants"),
                           participants < k ? QJsonValue() : QJsonValue(double(participants)) },
                         { QStringLiteral("groups"), groupsJson } };
}

} // namespace cohort

using namespace cohort;

namespace {

using ViewFunction = Result<QJsonObject> (*)(const QSqlDatabase &, const CohortScope &);

const QList<std::pair<QString, ViewFunction>> &views()
{
    static const QList<std::pair<QString, ViewFunction>> all {
        { QStringLiteral("overview"), overviewView },
        { QStringLiteral("time_in_range"), timeInRangeView },
        { QStringLiteral("glucose_by_time_of_day"), glucoseByTimeOfDayView },
        { QStringLiteral("loop_type_by_month"), loopTypeByMonthView },
        { QStringLiteral("device_groups"), deviceGroupsView },
        { QStringLiteral("demographics"), demographicsView },
    };
    return all;
}

QString category(const QVariant &value)
{
    const QString text = value.toString().trimmed();
    return value.isNull() || text.isEmpty() ? QStringLiteral("unknown") : text;
}

// (key, count) in key order.
QList<std::pair<QString, qint64>> sortedCounts(const QMap<QString, qint64> &counts)
{
    QList<std::pair<QString, qint64>> out;
    for (auto it = counts.cbegin(); it != counts.cend(); ++it)
        out.append({ it.key(), it.value() });
    return out;
}

} // namespace

const QStringList &cohortViewNames()
{
    static const QStringList names = [] {
        QStringList n;
        for (const auto &[name, function] : views())
            n << name;
        return n;
    }();
    return names;
}

Result<QJsonObject> cohortView(const QSqlDatabase &db, const QString &view, const CohortScope &scope)
{
    for (const auto &[name, function] : views()) {
        if (name == view)
            return function(db, scope);
    }
    return unknownView(view);
}

Error unknownView(const QString &view)
{
    return makeError("unknown-view",
                     QStringLiteral("There is no cohort view '%1'. The views are: %2.")
                             .arg(view, cohortViewNames().join(QLatin1String(", "))));
}

Result<QJsonObject> loopTypeByMonthView(const QSqlDatabase &db, const CohortScope &scope)
{
    CohortQuery query(db, scope);
    auto q = query.exec(QStringLiteral("SELECT user_id, day, loop_type FROM analytics_loop_type_by_day WHERE %1")
                                .arg(query.inScope(QStringLiteral("source_entity"))),
                        "loop type view");
    if (!q)
        return q.error();
    // Local days: from's date on, up to to's date (that day too when to is not midnight).
    const QDate firstDay = scope.from ? scope.from->date() : QDate();
    const QDate endDay = !scope.to            ? QDate()
            : scope.to->time() == QTime(0, 0) ? scope.to->date()
                                              : scope.to->date().addDays(1);
    struct Days
    {
        qint64 closed = 0;
        qint64 open = 0;
    };
    QMap<QString, QHash<qint64, Days>> months; // month -> participant -> days
    QSet<qint64> participants;
    while (q->next()) {
        const QDate day = q->value(1).toDate();
        if (!day.isValid() || (firstDay.isValid() && day < firstDay) || (endDay.isValid() && day >= endDay))
            continue;
        const qint64 user = q->value(0).toLongLong();
        Days &days = months[day.toString(QStringLiteral("yyyy-MM"))][user];
        (q->value(2).toString() == QLatin1String("closed loop") ? days.closed : days.open) += 1;
        participants.insert(user);
    }
    QList<CohortGroup> groups;
    for (auto month = months.cbegin(); month != months.cend(); ++month) {
        const QString kinds[] = { QStringLiteral("closed loop"), QStringLiteral("mixed"), QStringLiteral("open loop") };
        qint64 counts[3] = {};
        qint64 days[3] = {};
        for (const Days &d : month.value()) {
            const int kind = d.open == 0 ? 0 : d.closed == 0 ? 2 : 1;
            ++counts[kind];
            days[kind] += d.closed + d.open;
        }
        CohortGroup group;
        group.name = month.key();
        for (int i = 0; i < 3; ++i) {
            if (counts[i] > 0)
                group.cells.append(
                        { kinds[i], counts[i], double(counts[i]), { { QStringLiteral("days"), double(days[i]) } } });
        }
        groups.append(group);
    }
    return viewJson(QStringLiteral("loop_type_by_month"), scope, participants.size(), groups);
}

Result<QJsonObject> deviceGroupsView(const QSqlDatabase &db, const CohortScope &scope)
{
    CohortQuery query(db, scope);
    // A device counts when it was seen in the window: first seen before its
    // end and last seen at or after its start.
    const QString seenBeforeTheEnd = query.beforeTo(QStringLiteral("first_seen")); // bound first
    const QString where = query.inScope(QStringLiteral("source_entity")) + QLatin1String(" AND ") + seenBeforeTheEnd
            + QLatin1String(" AND ") + query.notBeforeFrom(QStringLiteral("last_seen"));
    auto q = query.exec(QStringLiteral("SELECT user_id, device_group, SUM(entries) FROM analytics_device_groups "
                                       "WHERE %1 GROUP BY user_id, device_group ORDER BY user_id, device_group")
                                .arg(where),
                        "device groups view");
    if (!q)
        return q.error();
    QHash<qint64, std::pair<QString, qint64>> main; // participant -> (group, entries); the first among equals
    while (q->next()) {
        const qint64 user = q->value(0).toLongLong();
        const qint64 entries = q->value(2).toLongLong();
        auto it = main.find(user);
        if (it == main.end() || entries > it->second)
            main.insert(user, { category(q->value(1)), entries });
    }
    QMap<QString, qint64> counts;
    for (const auto &[group, entries] : std::as_const(main))
        ++counts[group];
    return viewJson(QStringLiteral("device_groups"), scope, main.size(),
                    { countGroup(QStringLiteral("main_device_group"), sortedCounts(counts)) });
}

Result<QJsonObject> demographicsView(const QSqlDatabase &db, const CohortScope &scope)
{
    static const char *const dimensions[] = { "age_bracket", "years_since_diagnosed_bracket", "gender",
                                              "country_corrected" };
    // In scope: the participant has research rows the scope allows (the
    // survey table has no source_entity of its own).
    CohortQuery query(db, scope);
    QStringList exists;
    for (const char *table : consentTables) {
        exists << QStringLiteral("EXISTS (SELECT 1 FROM %1 r WHERE r.user_id = d.user_id AND %2)")
                          .arg(QLatin1String(table), query.inScope(QStringLiteral("r.source_entity")));
    }
    auto q = query.exec(QStringLiteral("SELECT d.user_id, d.age_bracket, d.years_since_diagnosed_bracket, d.gender, "
                                       "d.country_corrected FROM analytics_demographics d WHERE d.user_id IS NOT NULL "
                                       "AND (%1) ORDER BY d.user_id, d.ts, d.seq_id")
                                .arg(exists.join(QLatin1String(" OR "))),
                        "demographics view");
    if (!q)
        return q.error();
    // The latest answer of each participant (rows come in time order).
    QHash<qint64, QStringList> latest;
    while (q->next()) {
        QStringList answer;
        for (int i = 1; i <= 4; ++i)
            answer << category(q->value(i));
        latest.insert(q->value(0).toLongLong(), answer);
    }
    QList<CohortGroup> groups;
    for (int d = 0; d < 4; ++d) {
        QMap<QString, qint64> counts; // sorted keys: a stable answer
        for (const QStringList &answer : std::as_const(latest))
            ++counts[answer[d]];
        groups.append(countGroup(QLatin1String(dimensions[d]), sortedCounts(counts)));
    }
    return viewJson(QStringLiteral("demographics"), scope, latest.size(), groups);
}

} // namespace openaps::api
