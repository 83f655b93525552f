#include "api/jsonbody.h"

#include "api/researcherstore.h"

#include <QJsonDocument>
#include <QJsonParseError>

namespace openaps::api {

namespace {

// Passwords longer than this are refused rather than hashed (argon2 cost).
constexpr int maxPasswordLength = 1024;

Error badField(const QString &field, const QString &problem)
{
    return makeError("bad-request", QStringLiteral("The field '%1' %2.").arg(field, problem));
}

} // namespace

bool isPlausibleEmail(const QString &email)
{
    if (email.size() > 254 || email.count(QLatin1Char('@')) != 1)
        return false;
    for (const QChar c : email) {
        if (c.isSpace() || c.category() == QChar::Other_Control || c == QLatin1Char('<') || c == QLatin1Char('>')
            || c == QLatin1Char(',') || c == QLatin1Char(';') || c == QLatin1Char('"'))
            return false;
    }
    const qsizetype at = email.indexOf(QLatin1Char('@'));
    const QString domain = email.mid(at + 1);
    return at > 0 && domain.contains(QLatin1Char('.')) && !domain.startsWith(QLatin1Char('.'))
            && !domain.endsWith(QLatin1Char('.'));
}

Result<JsonBody> JsonBody::parse(const QByteArray &body)
{
    if (body.trimmed().isEmpty())
        return makeError("bad-request", QStringLiteral("The request needs a JSON object as its body."));
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(body, &error);
    if (error.error != QJsonParseError::NoError)
        return makeError("bad-request",
                         QStringLiteral("The request body is not valid JSON: %1 at character %2.")
                                 .arg(error.errorString())
                                 .arg(error.offset));
    if (!document.isObject())
        return makeError("bad-request", QStringLiteral("The request body must be a JSON object."));
    return JsonBody(document.object());
}

Result<QString> JsonBody::rawString(const QString &field, bool required) const
{
    const QJsonValue value = m_object.value(field);
    if (value.isUndefined() || value.isNull()) {
        if (required)
            return badField(field, QStringLiteral("is missing"));
        return QString();
    }
    if (!value.isString())
        return badField(field, QStringLiteral("must be a string"));
    return value.toString();
}

Result<QString> JsonBody::text(const QString &field, int maxLength) const
{
    auto raw = rawString(field, true);
    if (!raw)
        return raw;
    const QString value = raw->trimmed();
    if (value.isEmpty())
        return badField(field, QStringLiteral("is empty"));
    if (value.size() > maxLength)
        return badField(field, QStringLiteral("is too long (at most %1 characters)").arg(maxLength));
    return value;
}

Result<QString> JsonBody::password(const QString &field) const
{
    auto raw = rawString(field, true);
    if (!raw)
        return raw;
    if (raw->isEmpty())
        return badField(field, QStringLiteral("is empty"));
    if (raw->size() > maxPasswordLength)
        return badField(field, QStringLiteral("is too long (at most %1 characters)").arg(maxPasswordLength));
    return raw;
}

Result<QString> JsonBody::optionalText(const QString &field, int maxLength, const QString &fallback) const
{
    auto raw = rawString(field, false);
    if (!raw)
        return raw;
    const QString value = raw->trimmed();
    if (value.size() > maxLength)
        return badField(field, QStringLiteral("is too long (at most %1 characters)").arg(maxLength));
    return value.isEmpty() ? fallback : value;
}

Result<bool> JsonBody::optionalBool(const QString &field, bool fallback) const
{
    const QJsonValue value = m_object.value(field);
    if (value.isUndefined() || value.isNull())
        return fallback;
    if (!value.isBool())
        return badField(field, QStringLiteral("must be true or false"));
    return value.toBool();
}

Result<QString> JsonBody::email(const QString &field) const
{
    auto raw = text(field, 254);
    if (!raw)
        return raw;
    const QString email = ResearcherStore::normalizeEmail(*raw);
    if (!isPlausibleEmail(email))
        return badField(field, QStringLiteral("is not an email address"));
    return email;
}

} // namespace openaps::api
