#include "synthetic/builders.h"
#include "synthetic/isotime.h"

#include <QJsonArray>

#include <cmath>

namespace openaps::synthetic::detail {

namespace {

constexpr quint64 kTreatmentStream = 0x20;

enum Kind : quint64 {
    MealKind = 1,
    CarbKind,
    BolusKind,
    MeterKind,
    TempBasalKind,
    SmbKind,
    TargetKind,
    SiteKind,
    SensorKind,
    NoteKind
};

class TreatmentWriter
{
public:
    TreatmentWriter(const ParticipantModel &model, qint64 from, qint64 to, std::vector<Item> &out)
        : m_model(model),
          m_from(from),
          m_to(to),
          m_out(out),
          m_flavour(model.options().flavour)
    { }

    bool inWindow(qint64 at) const { return at >= m_from && at < m_to; }
    LoopFlavour flavour() const { return m_flavour; }

    // A record with the fields every treatment has; `index` identifies it
    // within its kind and decides its messy shapes.
    QJsonObject start(qint64 at, Kind kind, qint64 index, const QString &eventType) const
    {
        const quint64 stream = kTreatmentStream + kind;
        const bool local = m_model.mess(MessKind::LocalOffset, stream, index);
        QJsonObject t {
            { QStringLiteral("_id"), m_model.objectId(at, stream, index) },
            { QStringLiteral("eventType"), eventType },
            { QStringLiteral("created_at"),
              local ? isoTime(at, m_model.offsetAt(at), false, false) : isoTime(at, 0, true) },
            { QStringLiteral("enteredBy"), enteredBy() },
            { QStringLiteral("utcOffset"), m_model.offsetAt(at) / 60 },
        };
        if (m_flavour == LoopFlavour::Loop) {
            t.insert(QStringLiteral("timestamp"), isoTime(at, 0, true));
            t.insert(QStringLiteral("syncIdentifier"), m_model.objectId(at, stream, index, 2).mid(8));
        } else if (m_flavour == LoopFlavour::AndroidAPS) {
            t.insert(QStringLiteral("date"), double(at));
            t.insert(QStringLiteral("app"), QStringLiteral("AAPS"));
            t.insert(QStringLiteral("isValid"), true);
        }
        return t;
    }

    bool stringNumbers(Kind kind, qint64 index) const
    {
        return m_model.mess(MessKind::StringNumbers, kTreatmentStream + kind, index);
    }

    void emitRecord(qint64 at, Kind kind, qint64 index, QJsonObject record)
    {
        if (m_model.mess(MessKind::Duplicate, kTreatmentStream + kind, index)) {
            // Uploaded again by a second uploader (a careportal, NSClient).
            QJsonObject copy = record;
            copy.insert(QStringLiteral("_id"), m_model.objectId(at, kTreatmentStream + kind, index, 1));
            copy.insert(QStringLiteral("enteredBy"), QStringLiteral("NSClient"));
            m_out.push_back({ at, std::move(copy) });
        }
        m_out.push_back({ at, std::move(record) });
    }

    QString enteredBy() const
    {
        switch (m_flavour) {
        case LoopFlavour::OpenAPS:
            return QStringLiteral("openaps://medtronic/723");
        case LoopFlavour::Loop:
            return QStringLiteral("Loop");
        case LoopFlavour::AndroidAPS:
            return QStringLiteral("openaps://AndroidAPS");
        }
        return {};
    }

    const ParticipantModel &m_model;
    qint64 m_from, m_to;
    std::vector<Item> &m_out;
    LoopFlavour m_flavour;
};

void meal(TreatmentWriter &w, const Meal &m, qint64 index)
{
    const bool strings = w.stringNumbers(MealKind, index);
    if (w.flavour() == LoopFlavour::Loop) {
        if (w.inWindow(m.at)) {
            QJsonObject carbs = w.start(m.at, CarbKind, index, QStringLiteral("Carb Correction"));
            carbs.insert(QStringLiteral("carbs"), number(m.carbs, strings));
            carbs.insert(QStringLiteral("absorptionTime"), 180);
            w.emitRecord(m.at, CarbKind, index, carbs);
        }
        const qint64 at = m.at + kMinute;
        if (w.inWindow(at)) {
            QJsonObject bolus = w.start(at, BolusKind, index, QStringLiteral("Correction Bolus"));
            bolus.insert(QStringLiteral("insulin"), number(m.bolus, strings));
            bolus.insert(QStringLiteral("programmed"), m.bolus);
            bolus.insert(QStringLiteral("type"), QStringLiteral("normal"));
            bolus.insert(QStringLiteral("duration"), 0);
            bolus.insert(QStringLiteral("automatic"), false);
            w.emitRecord(at, BolusKind, index, bolus);
        }
        return;
    }
    if (!w.inWindow(m.at))
        return;
    QJsonObject t = w.start(m.at, MealKind, index, QStringLiteral("Meal Bolus"));
    t.insert(QStringLiteral("carbs"), number(m.carbs, strings));
    t.insert(QStringLiteral("insulin"), number(m.bolus, strings));
    if (w.flavour() == LoopFlavour::AndroidAPS) {
        t.insert(QStringLiteral("type"), QStringLiteral("NORMAL"));
        t.insert(QStringLiteral("isSMB"), false);
        t.insert(QStringLiteral("pumpId"), double(index));
        t.insert(QStringLiteral("pumpType"), QStringLiteral("ACCU_CHEK_INSIGHT_BLUETOOTH"));
        t.insert(QStringLiteral("pumpSerial"), QStringLiteral("33013206"));
    }
    w.emitRecord(m.at, MealKind, index, t);
}

void loopDecisions(TreatmentWriter &w, const ParticipantModel &model, qint64 from, qint64 to)
{
    for (qint64 slot = model.firstSlotAtOrAfter(from - kMinute); slot < to; slot += kFiveMinutes) {
        const qint64 index = floorDiv(slot, kFiveMinutes);
        const LoopDecision d = model.decision(slot);
        if (!w.inWindow(d.at) || !model.cgmAvailable(slot))
            continue;
        if (d.setsTempBasal) {
            const bool strings = w.stringNumbers(TempBasalKind, index);
            QJsonObject t = w.start(d.at, TempBasalKind, index, QStringLiteral("Temp Basal"));
            t.insert(QStringLiteral("duration"), number(30, strings));
            t.insert(QStringLiteral("absolute"), number(d.rate, strings));
            t.insert(QStringLiteral("rate"), d.rate);
            t.insert(QStringLiteral("temp"), QStringLiteral("absolute"));
            if (w.flavour() == LoopFlavour::Loop)
                t.insert(QStringLiteral("automatic"), true);
            w.emitRecord(d.at, TempBasalKind, index, t);
        } else if (d.smb > 0) {
            // A small automatic bolus (oref SMB / Loop automatic bolus).
            QJsonObject t = w.start(d.at, SmbKind, index, QStringLiteral("Correction Bolus"));
            t.insert(QStringLiteral("insulin"), number(d.smb, w.stringNumbers(SmbKind, index)));
            if (w.flavour() == LoopFlavour::Loop) {
                t.insert(QStringLiteral("automatic"), true);
                t.insert(QStringLiteral("type"), QStringLiteral("normal"));
            } else {
                t.insert(QStringLiteral("isSMB"), true);
                t.insert(QStringLiteral("type"), QStringLiteral("SMB"));
            }
            w.emitRecord(d.at, SmbKind, index, t);
        }
    }
}

void target(TreatmentWriter &w, const DayPlan &p)
{
    const qint64 at = p.tempTargetAt;
    if (at < 0 || !w.inWindow(at))
        return;
    if (w.flavour() == LoopFlavour::Loop) {
        QJsonObject t = w.start(at, TargetKind, p.day, QStringLiteral("Temporary Override"));
        t.insert(QStringLiteral("reason"), p.activityTarget ? QStringLiteral("Running") : QStringLiteral("Pre-Meal"));
        t.insert(QStringLiteral("duration"), p.activityTarget ? 90 : 60);
        t.insert(QStringLiteral("correctionRange"), p.activityTarget ? QJsonArray { 140, 160 } : QJsonArray { 80, 80 });
        if (p.activityTarget)
            t.insert(QStringLiteral("insulinNeedsScaleFactor"), 0.75);
        w.emitRecord(at, TargetKind, p.day, t);
        return;
    }
    const int value = p.activityTarget ? 140 : 80;
    QJsonObject t = w.start(at, TargetKind, p.day, QStringLiteral("Temporary Target"));
    t.insert(QStringLiteral("reason"), p.activityTarget ? QStringLiteral("Activity") : QStringLiteral("Eating Soon"));
    t.insert(QStringLiteral("targetTop"), value);
    t.insert(QStringLiteral("targetBottom"), value);
    t.insert(QStringLiteral("duration"), number(p.activityTarget ? 90 : 60, w.stringNumbers(TargetKind, p.day)));
    t.insert(QStringLiteral("units"), QStringLiteral("mg/dl"));
    w.emitRecord(at, TargetKind, p.day, t);
}

void simpleEvent(TreatmentWriter &w, qint64 at, Kind kind, qint64 index, const QString &eventType, const QString &notes)
{
    if (at < 0 || !w.inWindow(at))
        return;
    QJsonObject t = w.start(at, kind, index, eventType);
    if (!notes.isEmpty())
        t.insert(QStringLiteral("notes"), notes);
    w.emitRecord(at, kind, index, t);
}

} // namespace

void buildTreatments(const ParticipantModel &model, qint64 from, qint64 to, std::vector<Item> &out)
{
    TreatmentWriter w(model, from, to, out);
    for (qint64 day = firstDay(model, from); day <= lastDay(model, to); ++day) {
        const DayPlan &p = model.plan(day);
        for (int i = 0; i < p.mealCount; ++i) {
            const qint64 index = day * 8 + i;
            meal(w, p.meals[i], index);
            const qint64 meterAt = p.meals[i].at - 10 * kMinute;
            if (p.meals[i].meterCheck && w.inWindow(meterAt)) {
                QJsonObject t = w.start(meterAt, MeterKind, index, QStringLiteral("BG Check"));
                t.insert(QStringLiteral("glucose"), std::round(model.glucose(meterAt) * 1.04));
                t.insert(QStringLiteral("glucoseType"), QStringLiteral("Finger"));
                t.insert(QStringLiteral("units"), QStringLiteral("mg/dl"));
                w.emitRecord(meterAt, MeterKind, index, t);
            }
        }
        target(w, p);
        simpleEvent(w, p.siteChangeAt, SiteKind, day, QStringLiteral("Site Change"), {});
        simpleEvent(w, p.sensorStartAt, SensorKind, day, QStringLiteral("Sensor Start"), QStringLiteral("Dexcom G6"));
        simpleEvent(w, p.noteAt, NoteKind, day, QStringLiteral("Note"), QStringLiteral("walked the dog"));
    }
    loopDecisions(w, model, from, to);
}

} // namespace openaps::synthetic::detail
