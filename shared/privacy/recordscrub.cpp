#include "privacy/recordscrub.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

namespace openaps::privacy {

namespace {

// Keys whose values are removed wherever they occur: typed by a person or
// naming one device (case-insensitive).
bool isDropped(const QString &key)
{
    static const QStringList dropped {
        QStringLiteral("notes"),
        QStringLiteral("note"),
        QStringLiteral("foodtype"),
        QStringLiteral("pumpserial"),
        QStringLiteral("pumpserialnumber"),
        QStringLiteral("serial"),
        QStringLiteral("serialnumber"),
        QStringLiteral("transmitterid"),
        QStringLiteral("sensorserial"),
        QStringLiteral("devicetoken"),
        QStringLiteral("bundleidentifier"),
        QStringLiteral("name"),
        QStringLiteral("identifier"),
        QStringLiteral("email"),
        QStringLiteral("phone"),
        QStringLiteral("uploadername"),
    };
    // Loop's pump.pumpID is the pump's serial number; AndroidAPS's pumpId
    // is the number of a pump history record, which is kept.
    return key == QLatin1String("pumpID") || dropped.contains(key.toLower());
}

bool isProfileName(const QString &key)
{
    return key == QLatin1String("defaultProfile") || key == QLatin1String("profile")
            || key == QLatin1String("originalProfileName") || key == QLatin1String("profileName")
            || key == QLatin1String("ActiveProfile");
}

QString textOf(const QJsonValue &value)
{
    if (value.isString())
        return value.toString();
    if (value.isDouble())
        return QString::number(value.toDouble(), 'g', 17);
    if (value.isBool())
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    return QString::fromUtf8(QJsonDocument::fromVariant(value.toVariant()).toJson(QJsonDocument::Compact));
}

// Sets `ref` to `replacement`; true if that changed it.
bool replace(QJsonValueRef ref, const QJsonValue &replacement)
{
    if (QJsonValue(ref) == replacement)
        return false;
    ref = replacement;
    return true;
}

} // namespace

QString sourceFamily(const QString &text)
{
    QString lower = text.toLower();
    lower.remove(QChar(0));
    if (lower.trimmed().isEmpty())
        return {};
    // Apps first (an uploader names the CGM it reads: "xDrip-DexcomG5" is
    // xDrip), then devices. Ingest keeps a "scheme://" before its keyed hash,
    // and hex digits never spell one of these words.
    static const std::pair<const char *, const char *> families[] = {
        { "androidaps", "androidaps" },
        { "aaps", "androidaps" },
        { "trio", "trio" },
        { "iaps", "iaps" },
        { "freeaps", "iaps" },
        { "loop", "loop" },
        { "openaps", "openaps" },
        { "oref", "openaps" },
        { "xdrip", "xdrip" },
        { "spike", "spike" },
        { "careportal", "careportal" },
        { "tidepool", "tidepool" },
        { "nightscout", "nightscout" },
        { "dexcom", "dexcom" },
        { "share", "dexcom" },
        { "libre", "libre" },
        { "miaomiao", "miaomiao" },
        { "medtronic", "medtronic" },
        { "minimed", "medtronic" },
        { "omnipod", "omnipod" },
        { "insulet", "omnipod" },
        { "tandem", "tandem" },
    };
    for (const auto &[word, family] : families) {
        if (lower.contains(QLatin1String(word)))
            return QLatin1String(family);
    }
    return QStringLiteral("other");
}

QString treatmentReason(const QString &reason)
{
    // The reasons Loop, AndroidAPS, Trio and the Nightscout careportal offer
    // or write themselves.
    static const QStringList known {
        QStringLiteral("Eating Soon"),
        QStringLiteral("Activity"),
        QStringLiteral("Hypo"),
        QStringLiteral("Manual"),
        QStringLiteral("Automation"),
        QStringLiteral("Custom"),
        QStringLiteral("Pre-Meal"),
        QStringLiteral("Workout"),
        QStringLiteral("Exercise"),
        QStringLiteral("Sick Day"),
        QStringLiteral("Sleep"),
        QStringLiteral("Running"),
        QStringLiteral("Low predicted, suspending"),
        QStringLiteral("Loop predicted high BG"),
        QStringLiteral("Wear"),
        QStringLiteral("Cancel"),
        QStringLiteral("Suspend"),
        QStringLiteral("Resume"),
        QStringLiteral("Temporary Override"),
    };
    const QString trimmed = reason.trimmed();
    if (trimmed.isEmpty())
        return {};
    for (const QString &k : known) {
        if (trimmed.compare(k, Qt::CaseInsensitive) == 0)
            return k;
    }
    return QStringLiteral("other");
}

QString failureCode(const QString &text)
{
    // Swift's description of an error value: a name, then its details in
    // parentheses ("LoopError.pumpDataTooOld(date: ...)"). The details and
    // any sentence may carry device names; only the name is kept.
    static const QRegularExpression code(QStringLiteral(R"(^([A-Za-z][A-Za-z0-9_.]{0,63})(\(|$))"));
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return {};
    const auto match = code.match(trimmed);
    return match.hasMatch() ? match.captured(1) : QStringLiteral("other");
}

QString RecordScrubber::profileName(const QString &name) const
{
    // Already a stand-in (rows scrubbed before): kept, so scrubbing twice
    // changes nothing.
    static const QRegularExpression standIn(QStringLiteral("^profile(-[0-9a-f]{8})?$"));
    if (name.isEmpty() || standIn.match(name).hasMatch())
        return name;
    return m_profileNamer ? m_profileNamer(name) : QStringLiteral("profile");
}

bool RecordScrubber::scrub(records::DataType type, QJsonObject &document) const
{
    return scrubObject(document, true, type);
}

bool RecordScrubber::scrubObject(QJsonObject &object, bool topLevel, records::DataType type) const
{
    bool changed = false;
    for (auto it = object.begin(); it != object.end();) {
        const QString key = it.key();
        if (isDropped(key)) {
            it = object.erase(it);
            changed = true;
            continue;
        }
        QJsonValueRef value = it.value();
        if (value.isNull() || value.isUndefined()) {
            ++it;
            continue;
        }
        if (key == QLatin1String("device") || key == QLatin1String("enteredBy")) {
            changed |= replace(value, sourceFamily(textOf(value)));
        } else if (key == QLatin1String("failureReason")) {
            changed |= replace(value, failureCode(textOf(value)));
        } else if (key == QLatin1String("reason") && topLevel && type == records::DataType::Treatments) {
            changed |= replace(value, treatmentReason(textOf(value)));
        } else if (isProfileName(key) && value.isString()) {
            changed |= replace(value, profileName(value.toString()));
        } else if (key == QLatin1String("store") && value.isObject()) {
            // A profile document's profiles, keyed by their names.
            QJsonObject renamed;
            const QJsonObject store = value.toObject();
            for (auto p = store.begin(); p != store.end(); ++p) {
                QJsonValue profile = p.value();
                if (profile.isObject()) {
                    QJsonObject inner = profile.toObject();
                    scrubObject(inner, false, type);
                    profile = inner;
                }
                renamed.insert(profileName(p.key()), profile);
            }
            changed |= replace(value, renamed);
        } else if (key == QLatin1String("profileJson") && value.isString()) {
            // AndroidAPS keeps the profile switched to as JSON in a string.
            QJsonObject inner = QJsonDocument::fromJson(value.toString().toUtf8()).object();
            if (scrubObject(inner, false, type))
                changed |= replace(value, QString::fromUtf8(QJsonDocument(inner).toJson(QJsonDocument::Compact)));
        } else {
            changed |= scrubValue(value, false, type);
        }
        ++it;
    }
    return changed;
}

bool RecordScrubber::scrubValue(QJsonValueRef value, bool topLevel, records::DataType type) const
{
    if (value.isObject()) {
        QJsonObject inner = value.toObject();
        if (!scrubObject(inner, topLevel, type))
            return false;
        value = inner;
        return true;
    }
    if (value.isArray()) {
        QJsonArray array = value.toArray();
        bool changed = false;
        for (auto element = array.begin(); element != array.end(); ++element)
            changed |= scrubValue(*element, topLevel, type);
        if (changed)
            value = array;
        return changed;
    }
    return false;
}

} // namespace openaps::privacy
