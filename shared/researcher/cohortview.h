#pragma once

#include "core/result.h"

#include <QDateTime>
#include <QList>
#include <QMap>
#include <QString>

#include <optional>

namespace openaps::researcher {

// One cell of a cohort view: a category and its participants and figures,
// or nothing but the fact that it was withheld (fewer than k participants:
// the server's small-cell suppression). A withheld cell is never a zero.
struct CohortCell
{
    QString key;
    bool suppressed = false;
    std::optional<qint64> participants; // nullopt when suppressed
    QMap<QString, double> figures; // readings, days, p5 ... p95; absent when null

    std::optional<double> figure(const QString &name) const;
};

struct CohortGroup
{
    QString name;
    bool partition = false; // each participant in exactly one cell
    QList<CohortCell> cells;
};

// `GET /api/v1/cohort/{view}`: every view answers this one shape (README,
// "Cohort views and small-cell suppression").
struct CohortView
{
    QString view;
    int k = 0; // the suppression threshold
    QDateTime from, to; // the window asked for; invalid: none
    std::optional<qint64> participants; // nullopt under k
    QList<CohortGroup> groups;

    const CohortGroup *group(const QString &name) const;
};

// The answer's JSON, or "bad-answer". Pure: safe on any thread.
Result<CohortView> parseCohortView(const QByteArray &body);

// The views the dashboards show, in the server's order.
const QStringList &cohortViewNames();

} // namespace openaps::researcher
