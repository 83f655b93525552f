#include "api/cohort/suppression.h"

#include <QJsonObject>

#include <algorithm>

namespace openaps::api {

qint64 groupTotal(const CohortGroup &group)
{
    qint64 total = 0;
    for (const CohortCell &cell : group.cells)
        total += cell.participants;
    return total;
}

bool totalSuppressed(const CohortGroup &group, int k)
{
    return group.partition && groupTotal(group) < k;
}

void suppressSmallCells(CohortGroup &group, int k)
{
    k = std::max(k, 1);
    if (totalSuppressed(group, k)) {
        for (CohortCell &cell : group.cells)
            cell.suppressed = true;
        return;
    }
    int withheld = 0;
    for (CohortCell &cell : group.cells) {
        cell.suppressed = cell.participants < k;
        withheld += cell.suppressed ? 1 : 0;
    }
    if (!group.partition || withheld != 1)
        return;
    // One withheld cell of a partition is the total minus the others: withhold
    // the smallest one still shown as well (it hides the first among two).
    auto smallest = group.cells.end();
    for (auto it = group.cells.begin(); it != group.cells.end(); ++it) {
        if (!it->suppressed && (smallest == group.cells.end() || it->participants < smallest->participants))
            smallest = it;
    }
    if (smallest != group.cells.end())
        smallest->suppressed = true;
}

QJsonArray cellsJson(const CohortGroup &group, bool withValue)
{
    QJsonArray out;
    for (const CohortCell &cell : group.cells) {
        QJsonObject o { { QStringLiteral("key"), cell.key },
                        { QStringLiteral("participants"),
                          cell.suppressed ? QJsonValue() : QJsonValue(double(cell.participants)) },
                        { QStringLiteral("suppressed"), cell.suppressed } };
        if (withValue)
            o.insert(QStringLiteral("value"), cell.suppressed ? QJsonValue() : QJsonValue(cell.value));
        for (auto it = cell.figures.constBegin(); it != cell.figures.constEnd(); ++it)
            o.insert(it.key(), cell.suppressed ? QJsonValue() : it.value());
        out.append(o);
    }
    return out;
}

QJsonObject suppressedGroupJson(CohortGroup group, int k)
{
    suppressSmallCells(group, k);
    return QJsonObject { { QStringLiteral("name"), group.name },
                         { QStringLiteral("partition"), group.partition },
                         { QStringLiteral("cells"), cellsJson(group, false) } };
}

} // namespace openaps::api
