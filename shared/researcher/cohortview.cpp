#include "researcher/cohortview.h"

#include "core/wholenumber.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace openaps::researcher {

namespace {

Error badAnswer()
{
    return makeError("bad-answer",
                     QStringLiteral("The server's cohort view could not be read (is this an OpenAPS Data Commons "
                                    "server of this version?)."));
}

QDateTime timeOf(const QJsonValue &v)
{
    return v.isString() ? QDateTime::fromString(v.toString(), Qt::ISODateWithMs) : QDateTime();
}

} // namespace

std::optional<double> CohortCell::figure(const QString &name) const
{
    const auto it = figures.constFind(name);
    return it == figures.constEnd() ? std::nullopt : std::optional<double>(*it);
}

const CohortGroup *CohortView::group(const QString &name) const
{
    for (const CohortGroup &g : groups) {
        if (g.name == name)
            return &g;
    }
    return nullptr;
}

Result<CohortView> parseCohortView(const QByteArray &body)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &error);
    const QJsonObject o = doc.object();
    if (!doc.isObject() || !o.value(QLatin1String("view")).isString() || !o.value(QLatin1String("groups")).isArray())
        return badAnswer();
    CohortView view;
    view.view = o.value(QLatin1String("view")).toString();
    view.k = int(wholeNumber(o.value(QLatin1String("k"))).value_or(0));
    view.from = timeOf(o.value(QLatin1String("from")));
    view.to = timeOf(o.value(QLatin1String("to")));
    if (const auto n = wholeNumber(o.value(QLatin1String("participants"))))
        view.participants = *n;
    const QJsonArray groups = o.value(QLatin1String("groups")).toArray();
    for (const QJsonValue g : groups) {
        CohortGroup group { g[QLatin1String("name")].toString(), g[QLatin1String("partition")].toBool(), {} };
        const QJsonArray cells = g[QLatin1String("cells")].toArray();
        for (const QJsonValue c : cells) {
            const QJsonObject cell = c.toObject();
            CohortCell out;
            out.key = cell.value(QLatin1String("key")).toString();
            // A cell without a count is withheld whatever its flag says: a
            // missing number must never be drawn as 0.
            const auto n = wholeNumber(cell.value(QLatin1String("participants")));
            out.suppressed = cell.value(QLatin1String("suppressed")).toBool() || !n;
            if (!out.suppressed) {
                out.participants = *n;
                for (auto it = cell.constBegin(); it != cell.constEnd(); ++it) {
                    if (it.value().isDouble() && it.key() != QLatin1String("participants"))
                        out.figures.insert(it.key(), it.value().toDouble());
                }
            }
            group.cells.append(out);
        }
        view.groups.append(group);
    }
    return view;
}

const QStringList &cohortViewNames()
{
    static const QStringList names {
        QStringLiteral("overview"),           QStringLiteral("time_in_range"), QStringLiteral("glucose_by_time_of_day"),
        QStringLiteral("loop_type_by_month"), QStringLiteral("device_groups"), QStringLiteral("demographics")
    };
    return names;
}

} // namespace openaps::researcher
