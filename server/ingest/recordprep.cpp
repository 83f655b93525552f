#include "ingest/recordprep.h"

#include "crypto/secrets.h"
#include "records/datatype.h"
#include "records/jsonvalues.h"
#include "records/nstime.h"

#include <QCryptographicHash>
#include <QRegularExpression>
#include <QtEndian>

namespace openaps::ingest {

namespace {

const QLatin1String kSharingConsent("sharing_consent");

// The fields tried, in order, for each type's time.
QList<QLatin1String> timeFields(records::DataType type)
{
    switch (type) {
    case records::DataType::Entries:
        return { QLatin1String("date"), QLatin1String("dateString"), QLatin1String("sysTime"),
                 QLatin1String("created_at"), QLatin1String("mills") };
    case records::DataType::Treatments:
    case records::DataType::DeviceStatus:
        return { QLatin1String("created_at"), QLatin1String("timestamp"), QLatin1String("mills"),
                 QLatin1String("date") };
    case records::DataType::Profile:
        return { QLatin1String("startDate"), QLatin1String("created_at"), QLatin1String("mills") };
    }
    return {};
}

// MongoDB ObjectIds start with 8 hex digits of seconds since the epoch.
std::optional<qint64> objectIdTime(const QJsonObject &record)
{
    const QString id = record.value(QLatin1String("_id")).toString();
    static const QRegularExpression objectId(QStringLiteral("^[0-9a-fA-F]{24}$"));
    if (!objectId.match(id).hasMatch())
        return std::nullopt;
    bool ok = false;
    const qint64 seconds = id.left(8).toLongLong(&ok, 16);
    return ok ? std::optional<qint64>(seconds * 1000) : std::nullopt;
}

QString scrubField(const RecordScrubber &scrubber, const QJsonValue &value)
{
    // Numbers, objects and arrays are scrubbed as their JSON text.
    if (value.isString())
        return scrubber.scrubText(value.toString());
    return scrubber.scrubText(QString::fromUtf8(records::json::text(value)));
}

} // namespace

QByteArray recordId(const QJsonObject &record)
{
    QByteArray id = records::json::documentId(record);
    return id.isEmpty() ? records::json::syntheticId(record) : id;
}

qint64 recordTimeMs(records::DataType type, const QJsonObject &record)
{
    const auto fields = timeFields(type);
    for (const QLatin1String &field : fields) {
        const QJsonValue value = record.value(field);
        if (value.isUndefined() || value.isNull())
            continue;
        if (const auto time = records::parseNsTime(value))
            return time->ms;
    }
    return objectIdTime(record).value_or(0);
}

quint64 contentHash(const QByteArray &compactJson)
{
    const QByteArray digest = QCryptographicHash::hash(compactJson, QCryptographicHash::Sha1);
    return qFromBigEndian<quint64>(digest.constData());
}

RecordScrubber::RecordScrubber(const QByteArray &secretKey, const QString &memberId, const QString &consent)
    : m_key(crypto::deriveKey(secretKey, QByteArrayLiteral("ingest-scrub:") + memberId.toUtf8())),
      m_consent(consent)
{ }

QString RecordScrubber::scrubText(const QString &value) const
{
    QString text = value;
    text.remove(QChar(0));
    if (text.isEmpty())
        return text;
    // "openaps://edison-3fa1": the scheme names the system, the rest the person's rig.
    static const QRegularExpression scheme(QStringLiteral(R"(^([A-Za-z][A-Za-z0-9+.-]{0,30}://))"));
    const auto match = scheme.match(text);
    QString kept = match.hasMatch() ? match.captured(1) : QString();
    const QString rest = text.mid(kept.size());
    if (rest.isEmpty())
        return kept;
    return kept + crypto::keyedHash(m_key, rest.toUtf8(), 8);
}

QJsonObject RecordScrubber::prepare(records::DataType type, QJsonObject record) const
{
    const QLatin1String field = type == records::DataType::Treatments ? QLatin1String("enteredBy")
                                                                      : QLatin1String("device");
    if (type == records::DataType::Treatments || type == records::DataType::DeviceStatus) {
        const auto it = record.find(field);
        if (it != record.end() && !it->isNull() && !it->isUndefined())
            *it = scrubField(*this, *it);
    }
    record.insert(kSharingConsent, m_consent);
    return record;
}

} // namespace openaps::ingest
