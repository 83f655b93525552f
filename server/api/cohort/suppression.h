#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace openaps::api {

// Small-cell suppression for published aggregates: a cell that describes
// fewer than k participants could single someone out, so it is withheld and
// marked as such (never shown as zero).
struct CohortCell
{
    QString key; // the category: "18-25", "2024-03", "closed loop", ...
    qint64 participants = 0; // distinct participants the cell describes
    double value = 0; // what the cell reports (a count, a mean, ...); withheld with the cell
    QJsonObject figures; // further named numbers it reports ("readings", "p50", ...); withheld with it
    bool suppressed = false;
};

// A group of cells over the same participants. `partition`: every
// participant is in exactly one cell, so the cells add up to a total that
// is published (or can be worked out); then withholding ONE cell is not
// enough (it is the total minus the others), and the smallest cells still
// shown are withheld too until at least two are, or none. A group whose
// total describes fewer than k participants is withheld whole.
struct CohortGroup
{
    QString name;
    QList<CohortCell> cells;
    bool partition = true;
};

// Applies the rule above to every cell of `group` (k >= 1).
void suppressSmallCells(CohortGroup &group, int k);
qint64 groupTotal(const CohortGroup &group);
// True when the group's total is withheld (its cells describe fewer than k).
bool totalSuppressed(const CohortGroup &group, int k);

// [{"key":..., "participants": n|null, "value": v|null, "suppressed": bool, <figures>: x|null}]
QJsonArray cellsJson(const CohortGroup &group, bool withValue);
// {"name", "partition", "cells": cellsJson(group, false)}, after suppressSmallCells(group, k).
QJsonObject suppressedGroupJson(CohortGroup group, int k);

} // namespace openaps::api
