#include "synthetic/builders.h"
#include "synthetic/isotime.h"

#include <QJsonArray>

#include <cmath>

namespace openaps::synthetic::detail {

namespace {

constexpr quint64 kStatusStream = 0x30;

// exp(-i / 12) and exp(-i / 24) for the prediction curves, computed once.
struct Decays
{
    double fast[72] {};
    double slow[72] {};
    Decays()
    {
        for (int i = 0; i < 72; ++i) {
            fast[i] = std::exp(-i / 12.0);
            slow[i] = std::exp(-i / 24.0);
        }
    }
};

// Predicted glucose every 5 minutes: the trend fading out, pulled down by
// insulin on board.
QJsonArray prediction(const LoopDecision &d, double iob, double isf, int count, double bend)
{
    static const Decays decays;
    QJsonArray values;
    const double perStep = d.delta / 3;
    for (int i = 0; i < count && i < 72; ++i) {
        const double trend = perStep * 12 * (1 - decays.fast[i]);
        const double insulin = iob * isf * bend * (1 - decays.slow[i]);
        values.append(int(std::clamp(std::round(d.glucose + trend - insulin), 39.0, 401.0)));
    }
    return values;
}

struct StatusContext
{
    const ParticipantModel &model;
    qint64 at = 0;
    qint64 index = 0;
    LoopDecision decision;
    double iob = 0;
    double cob = 0;
    ProfileVersion profile;
    bool big = false; // the huge-document shape: long prediction arrays and radio scans

    QString time() const { return isoTime(at, 0, true); }
    bool mess(MessKind kind) const { return model.mess(kind, kStatusStream, index); }
};

QJsonObject oref(const StatusContext &c, bool androidAps)
{
    const LoopDecision &d = c.decision;
    const int length = c.big ? 48 : 12;
    QJsonObject predBGs { { QStringLiteral("IOB"), prediction(d, c.iob, c.profile.isf, length, 1.0) },
                          { QStringLiteral("ZT"), prediction(d, c.iob, c.profile.isf, length, 1.4) } };
    if (c.big) {
        predBGs.insert(QStringLiteral("COB"), prediction(d, c.iob - c.cob / c.profile.icr, c.profile.isf, length, 1.0));
        predBGs.insert(QStringLiteral("UAM"), prediction(d, c.iob * 0.8, c.profile.isf, length, 1.0));
    }
    const int eventual = predBGs.value(QStringLiteral("IOB")).toArray().last().toInt();
    const QString reason = QStringLiteral("COB: %1, Dev: %2, ISF: %3, Target: %4; Eventual BG %5")
                                   .arg(int(c.cob))
                                   .arg(int(d.delta))
                                   .arg(c.profile.isf)
                                   .arg(c.profile.target)
                                   .arg(eventual);
    QJsonObject suggested {
        { QStringLiteral("bg"), int(std::round(d.glucose)) },
        { QStringLiteral("temp"), QStringLiteral("absolute") },
        { QStringLiteral("eventualBG"), eventual },
        { QStringLiteral("COB"), round2(c.cob) },
        { QStringLiteral("IOB"), round2(c.iob) },
        { QStringLiteral("reason"), reason },
        { QStringLiteral("timestamp"), c.time() },
        { QStringLiteral("predBGs"), predBGs },
    };
    if (d.setsTempBasal) {
        suggested.insert(QStringLiteral("rate"), d.rate);
        suggested.insert(QStringLiteral("duration"), 30);
    }
    QJsonObject iob { { QStringLiteral("iob"), round2(c.iob) },
                      { QStringLiteral("basaliob"), round2(c.iob * 0.2 - 0.1) },
                      { QStringLiteral("activity"), round2(c.iob * 0.012) },
                      { androidAps ? QStringLiteral("time") : QStringLiteral("timestamp"), c.time() } };
    QJsonObject openaps { { QStringLiteral("suggested"), suggested } };
    if (c.mess(MessKind::IobArray)) {
        // Some oref0 versions uploaded the whole IOB forecast array.
        QJsonArray forecast { iob };
        QJsonObject later = iob;
        later.insert(QStringLiteral("iob"), round2(c.iob * 0.9));
        forecast.append(later);
        openaps.insert(QStringLiteral("iob"), forecast);
    } else {
        openaps.insert(QStringLiteral("iob"), iob);
    }
    if (d.setsTempBasal) {
        QJsonObject enacted = suggested;
        enacted.remove(QStringLiteral("predBGs"));
        // oref0 spelt it "recieved"; later uploaders "received".
        const bool typo = (c.model.options().flavour == LoopFlavour::OpenAPS) != c.mess(MessKind::ReceivedSpelling);
        enacted.insert(typo ? QStringLiteral("recieved") : QStringLiteral("received"), true);
        openaps.insert(QStringLiteral("enacted"), enacted);
    }
    return openaps;
}

QJsonObject loop(const StatusContext &c)
{
    const LoopDecision &d = c.decision;
    QJsonObject predicted { { QStringLiteral("startDate"), c.time() },
                            { QStringLiteral("values"), prediction(d, c.iob, c.profile.isf, c.big ? 72 : 12, 1.0) } };
    if (c.big) {
        predicted.insert(QStringLiteral("IOB"), prediction(d, c.iob, c.profile.isf, 72, 1.3));
        predicted.insert(QStringLiteral("COB"), prediction(d, c.iob - c.cob / c.profile.icr, c.profile.isf, 72, 1.0));
    }
    QJsonObject l {
        { QStringLiteral("name"), QStringLiteral("Loop") },
        { QStringLiteral("version"), QStringLiteral("3.4.1") },
        { QStringLiteral("timestamp"), c.time() },
        { QStringLiteral("iob"),
          QJsonObject { { QStringLiteral("timestamp"), c.time() },
                        { QStringLiteral("iob"), round2(c.iob) },
                        { QStringLiteral("basaliob"), round2(c.iob * 0.2 - 0.1) } } },
        { QStringLiteral("cob"),
          QJsonObject { { QStringLiteral("timestamp"), c.time() }, { QStringLiteral("cob"), round2(c.cob) } } },
        { QStringLiteral("predicted"), predicted },
        { QStringLiteral("recommendedBolus"), 0 },
    };
    if (d.setsTempBasal) {
        const bool typo = c.mess(MessKind::ReceivedSpelling);
        l.insert(QStringLiteral("enacted"),
                 QJsonObject { { QStringLiteral("rate"), d.rate },
                               { QStringLiteral("duration"), 30 },
                               { QStringLiteral("timestamp"), c.time() },
                               { typo ? QStringLiteral("recieved") : QStringLiteral("received"), true },
                               { QStringLiteral("bolusVolume"), d.smb } });
    }
    return l;
}

QJsonObject pump(const StatusContext &c)
{
    const double reservoir = round2(200 - std::fmod(double(c.at) / kHour * 1.6, 180));
    QJsonObject p { { QStringLiteral("clock"), isoTime(c.at, c.model.offsetAt(c.at), false, false) },
                    { QStringLiteral("reservoir"), reservoir } };
    if (c.model.options().flavour == LoopFlavour::Loop) {
        p.insert(QStringLiteral("pumpID"), QStringLiteral("ABCD1234"));
        p.insert(QStringLiteral("manufacturer"), QStringLiteral("Insulet"));
        p.insert(QStringLiteral("model"), QStringLiteral("Dash"));
        p.insert(QStringLiteral("battery"), QJsonObject { { QStringLiteral("percent"), 60 + int(c.index % 40) } });
        p.insert(QStringLiteral("suspended"), false);
        p.insert(QStringLiteral("bolusing"), false);
        p.insert(QStringLiteral("secondsFromGMT"), c.model.offsetAt(c.at));
    } else {
        p.insert(QStringLiteral("battery"),
                 QJsonObject { { QStringLiteral("status"), QStringLiteral("normal") },
                               { QStringLiteral("voltage"), 1.38 + double(c.index % 8) / 100 } });
        p.insert(QStringLiteral("status"),
                 QJsonObject { { QStringLiteral("status"), QStringLiteral("normal") },
                               { QStringLiteral("bolusing"), false },
                               { QStringLiteral("suspended"), false },
                               { QStringLiteral("timestamp"), c.time() } });
    }
    return p;
}

QString statusDevice(const ParticipantModel &model)
{
    switch (model.options().flavour) {
    case LoopFlavour::OpenAPS:
        return QStringLiteral("openaps://") + model.rigName();
    case LoopFlavour::Loop:
        return QStringLiteral("loop://iPhone");
    case LoopFlavour::AndroidAPS:
        return QStringLiteral("openaps://samsung SM-G970F");
    }
    return {};
}

} // namespace

void buildDeviceStatus(const ParticipantModel &model, qint64 from, qint64 to, std::vector<Item> &out)
{
    const LoopFlavour flavour = model.options().flavour;
    for (qint64 slot = model.firstSlotAtOrAfter(from - 2 * kMinute); slot < to; slot += kFiveMinutes) {
        const qint64 index = floorDiv(slot, kFiveMinutes);
        const qint64 at = slot + 55 * 1000 + qint64(hash(model.seed(), StreamStatus, index) % 5000);
        if (at < from || at >= to || !model.cgmAvailable(slot))
            continue;
        StatusContext c {
            model, at, index, model.decision(slot), model.iob(slot), model.cob(slot), model.profileAt(slot), false
        };
        c.big = c.mess(MessKind::BigStatus);
        const bool local = c.mess(MessKind::LocalOffset);
        QJsonObject s {
            { QStringLiteral("_id"), model.objectId(at, kStatusStream, index) },
            { QStringLiteral("device"), withNul(statusDevice(model), c.mess(MessKind::NulDevice)) },
            { QStringLiteral("created_at"), local ? isoTime(at, model.offsetAt(at), false, false) : c.time() },
            { QStringLiteral("pump"), pump(c) },
        };
        if (flavour == LoopFlavour::Loop) {
            s.insert(QStringLiteral("loop"), loop(c));
            s.insert(QStringLiteral("uploader"),
                     QJsonObject { { QStringLiteral("name"), QStringLiteral("iPhone") },
                                   { QStringLiteral("timestamp"), c.time() },
                                   { QStringLiteral("battery"), 30 + int(index % 70) } });
        } else {
            s.insert(QStringLiteral("openaps"), oref(c, flavour == LoopFlavour::AndroidAPS));
            s.insert(QStringLiteral("uploader"), QJsonObject { { QStringLiteral("battery"), 30 + int(index % 70) } });
        }
        if (flavour == LoopFlavour::AndroidAPS) {
            s.insert(QStringLiteral("uploaderBattery"), 30 + int(index % 70));
            s.insert(QStringLiteral("isCharging"), index % 5 == 0);
            s.insert(QStringLiteral("app"), QStringLiteral("AAPS"));
        }
        if (c.big && flavour == LoopFlavour::OpenAPS) {
            QJsonArray scan;
            for (int i = 0; i < 24; ++i)
                scan.append(QJsonArray { QString::number(916.5 + i * 0.024, 'f', 3), 5, -90 - i % 7 });
            s.insert(QStringLiteral("mmtune"),
                     QJsonObject { { QStringLiteral("scanDetails"), scan },
                                   { QStringLiteral("setFreq"), 916.66 },
                                   { QStringLiteral("timestamp"), c.time() } });
        }
        out.push_back({ at, std::move(s) });
    }
}

} // namespace openaps::synthetic::detail
