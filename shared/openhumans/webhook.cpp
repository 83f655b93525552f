#include "openhumans/webhook.h"

#include "core/wholenumber.h"
#include "openhumans/types.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageAuthenticationCode>

namespace openaps::oh {

namespace {

constexpr char prefix[] = "sha1=";
constexpr int sha1HexLength = 40;

Error badWebhook(const QString &why)
{
    return makeError("bad-webhook", QStringLiteral("The deauthorisation notice could not be read: %1.").arg(why));
}

bool isHex(const QByteArray &text)
{
    for (char c : text) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return true;
}

} // namespace

QByteArray webhookSignature(const QByteArray &secret, const QByteArray &rawBody)
{
    return QByteArray(prefix) + QMessageAuthenticationCode::hash(rawBody, secret, QCryptographicHash::Sha1).toHex();
}

SignatureCheck checkWebhookSignature(const QByteArray &secret, const QByteArray &rawBody, const QByteArray &headerValue)
{
    if (secret.isEmpty())
        return SignatureCheck::NoSecret;
    const QByteArray given = headerValue.trimmed().toLower();
    if (given.isEmpty())
        return SignatureCheck::Missing;
    const QByteArray hex = given.mid(int(sizeof(prefix)) - 1);
    if (!given.startsWith(prefix) || hex.size() != sha1HexLength || !isHex(hex))
        return SignatureCheck::Malformed;
    const QByteArray expected = webhookSignature(secret, rawBody).mid(int(sizeof(prefix)) - 1);
    unsigned char difference = 0;
    for (int i = 0; i < sha1HexLength; ++i)
        difference |= static_cast<unsigned char>(expected.at(i) ^ hex.at(i));
    return difference == 0 ? SignatureCheck::Valid : SignatureCheck::Mismatch;
}

Result<DeauthNotice> parseDeauthNotice(const QByteArray &rawBody)
{
    QJsonParseError parseError;
    // Wrapping in an array lets Qt read a top-level JSON string too.
    const QJsonDocument outer = QJsonDocument::fromJson("[" + rawBody + "]", &parseError);
    if (parseError.error != QJsonParseError::NoError || outer.array().size() != 1)
        return badWebhook(QStringLiteral("it is not JSON"));
    QJsonValue value = outer.array().first();
    if (value.isString()) {
        const QJsonDocument inner = QJsonDocument::fromJson(value.toString().toUtf8(), &parseError);
        if (parseError.error != QJsonParseError::NoError || !inner.isObject())
            return badWebhook(QStringLiteral("the encoded text inside is not a JSON object"));
        value = inner.object();
    }
    if (!value.isObject())
        return badWebhook(QStringLiteral("it is not a JSON object"));
    const QJsonObject object = value.toObject();

    DeauthNotice notice;
    const QJsonValue id = object.value(QLatin1String("project_member_id"));
    if (id.isDouble()) {
        if (const auto whole = wholeNumber(id))
            notice.projectMemberId = QString::number(*whole);
    } else {
        notice.projectMemberId = id.toString().trimmed();
    }
    if (notice.projectMemberId.isEmpty())
        return badWebhook(QStringLiteral("project_member_id is missing"));
    const QJsonValue erasure = object.value(QLatin1String("erasure_requested"));
    notice.erasureRequested = erasure.isBool()
            ? erasure.toBool()
            : erasure.toString().compare(QLatin1String("true"), Qt::CaseInsensitive) == 0;
    notice.timestamp = parseTime(object.value(QLatin1String("timestamp")).toString());
    return notice;
}

bool isFresh(const DeauthNotice &notice, const QDateTime &now, std::chrono::seconds window)
{
    if (!notice.timestamp.isValid())
        return false;
    const qint64 skewMs = qAbs(notice.timestamp.msecsTo(now));
    return skewMs <= qint64(window.count()) * 1000;
}

QByteArray deauthNoticeBody(const DeauthNotice &notice, bool doubleEncoded)
{
    const QJsonObject object {
        { QStringLiteral("project_member_id"), notice.projectMemberId },
        { QStringLiteral("erasure_requested"), notice.erasureRequested },
        { QStringLiteral("timestamp"), notice.timestamp.toUTC().toString(Qt::ISODateWithMs) },
    };
    QByteArray json = QJsonDocument(object).toJson(QJsonDocument::Compact);
    if (!doubleEncoded)
        return json;
    const QByteArray wrapped = QJsonDocument(QJsonArray { QString::fromUtf8(json) }).toJson(QJsonDocument::Compact);
    return wrapped.mid(1, wrapped.size() - 2); // strip the array brackets, keep the JSON string
}

} // namespace openaps::oh
