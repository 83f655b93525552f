#include "synthetic/builders.h"
#include "synthetic/isotime.h"

#include <QJsonArray>

#include <cmath>

namespace openaps::synthetic::detail {

namespace {

constexpr quint64 kProfileStream = 0x40;

QJsonArray schedule(const QList<QPair<int, double>> &points, bool strings)
{
    QJsonArray out;
    for (const auto &[seconds, value] : points) {
        const QString time = QStringLiteral("%1:%2")
                                     .arg(seconds / 3600, 2, 10, QLatin1Char('0'))
                                     .arg(seconds / 60 % 60, 2, 10, QLatin1Char('0'));
        out.append(QJsonObject { { QStringLiteral("time"), time },
                                 { QStringLiteral("timeAsSeconds"), number(seconds, strings) },
                                 { QStringLiteral("value"), number(value, strings) } });
    }
    return out;
}

QJsonObject profile(const ParticipantModel &model, const ProfileVersion &v)
{
    const bool strings = model.mess(MessKind::StringProfile, kProfileStream, v.index);
    QList<QPair<int, double>> basal;
    for (const double hour : { 0.0, 3.5, 7.0, 12.0, 19.0 })
        basal.append({ int(hour * 3600), pumpRound(v.basal * ParticipantModel::basalShape(hour)) });
    const QString zone = QString::fromUtf8(model.options().timeZone.id());
    QJsonObject store {
        { QStringLiteral("dia"), number(v.dia, strings) },
        { QStringLiteral("carbratio"), schedule({ { 0, v.icr }, { 6 * 3600, std::round(v.icr * 0.8) } }, strings) },
        { QStringLiteral("sens"), schedule({ { 0, v.isf } }, strings) },
        { QStringLiteral("basal"), schedule(basal, strings) },
        { QStringLiteral("target_low"), schedule({ { 0, v.target } }, strings) },
        { QStringLiteral("target_high"), schedule({ { 0, v.target + 10 } }, strings) },
        { QStringLiteral("timezone"), zone },
        { QStringLiteral("units"), QStringLiteral("mg/dl") },
        { QStringLiteral("carbs_hr"), QStringLiteral("20") },
        { QStringLiteral("delay"), QStringLiteral("20") },
        { QStringLiteral("startDate"), QStringLiteral("1970-01-01T00:00:00.000Z") },
    };
    const qint64 at = v.startsAt;
    QJsonObject p {
        { QStringLiteral("_id"), model.objectId(at, kProfileStream, v.index) },
        { QStringLiteral("defaultProfile"), QStringLiteral("Default") },
        { QStringLiteral("startDate"), isoTime(at, 0, true) },
        { QStringLiteral("created_at"), isoTime(at, 0, true) },
        { QStringLiteral("mills"), QString::number(at) },
        { QStringLiteral("units"), QStringLiteral("mg/dl") },
        { QStringLiteral("store"), QJsonObject { { QStringLiteral("Default"), store } } },
    };
    if (model.options().flavour == LoopFlavour::Loop) {
        p.insert(QStringLiteral("enteredBy"), QStringLiteral("Loop"));
        p.insert(QStringLiteral("loopSettings"),
                 QJsonObject { { QStringLiteral("dosingEnabled"), true },
                               { QStringLiteral("maximumBasalRatePerHour"), 4 },
                               { QStringLiteral("maximumBolus"), 10 },
                               { QStringLiteral("minimumBGGuard"), 75 } });
    }
    return p;
}

} // namespace

void buildProfiles(const ParticipantModel &model, qint64 from, qint64 to, std::vector<Item> &out)
{
    const qint64 first = std::max(from, model.startMs());
    int index = int(model.profileAt(first).index);
    if (model.profileVersion(index).startsAt < first)
        ++index;
    for (;; ++index) {
        const ProfileVersion v = model.profileVersion(index);
        if (v.startsAt >= to)
            break;
        out.push_back({ v.startsAt, profile(model, v) });
    }
}

} // namespace openaps::synthetic::detail
