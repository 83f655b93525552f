#pragma once

#include "api/cohort/cohortviews.h"

#include <QSqlQuery>
#include <QVariantList>

// Helpers the cohort views share (cohortviews.cpp, glucoseviews.cpp).
namespace openaps::api::cohort {

// Builds a view's query: the researcher's scope as a condition on a
// source_entity column (integers from the scope, never user input) and the
// window as conditions on time columns (bound values), then runs it.
class CohortQuery
{
public:
    CohortQuery(const QSqlDatabase &db, const CohortScope &scope);

    bool isPostgres() const { return m_postgres; }
    // "<column> IN (0,2)".
    QString inScope(const QString &sourceColumn) const;
    // "<column> >= from" / "<column> < to", or "1=1" without that bound.
    // Each binds a value: call them in the order their text goes into the SQL.
    QString notBeforeFrom(const QString &timeColumn);
    QString beforeTo(const QString &timeColumn);
    // Both: the rows of a time column in the window.
    QString inWindow(const QString &timeColumn);
    // "?" for `value`, bound in this place.
    QString bind(const QVariant &value);
    // The same for a UTC instant compared with a time column.
    QString bindTime(qint64 utcMs);
    // Runs `sql` (forward only) with the values bound so far.
    Result<QSqlQuery> exec(const QString &sql, const char *what);

private:
    QString bound(const std::optional<QDateTime> &time, const char *op, const QString &column);

    QSqlDatabase m_db;
    const CohortScope &m_scope;
    bool m_postgres;
    QVariantList m_values;
};

// The calendar months a window touches: from `from`'s month up to the one
// holding `to`'s last instant (for the ETL's monthly summaries).
struct MonthWindow
{
    QDate first; // invalid: no lower bound
    QDate last; // invalid: no upper bound

    static MonthWindow of(const CohortScope &scope);
    // `month` is the first day of a month (period_start).
    bool contains(const QDate &month) const
    {
        return month.isValid() && (!first.isValid() || month >= first) && (!last.isValid() || month <= last);
    }
};

// A group of cells from (key, participants) in the given order, keys with
// no participant left out (an absent category describes no one).
CohortGroup countGroup(const QString &name, const QList<std::pair<QString, qint64>> &counts, bool partition = true);

// The answer every view gives (cohortviews.h), its groups suppressed with k.
QJsonObject viewJson(const QString &view, const CohortScope &scope, qint64 participants, QList<CohortGroup> groups);

} // namespace openaps::api::cohort
