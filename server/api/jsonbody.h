#pragma once

#include "core/result.h"

#include <QJsonObject>
#include <QString>

namespace openaps::api {

// A request's JSON object with field-named errors (bad-request), so a
// researcher's client can say exactly what to fix.
class JsonBody
{
public:
    // The body must be one JSON object.
    static Result<JsonBody> parse(const QByteArray &body);

    // A required string field, trimmed (passwords are not), at most maxLength characters.
    Result<QString> text(const QString &field, int maxLength) const;
    Result<QString> password(const QString &field) const;
    // An optional string; `fallback` when absent or null.
    Result<QString> optionalText(const QString &field, int maxLength, const QString &fallback = {}) const;
    Result<bool> optionalBool(const QString &field, bool fallback) const;
    // A required email address, normalised (trimmed, lower case).
    Result<QString> email(const QString &field = QStringLiteral("email")) const;

private:
    explicit JsonBody(QJsonObject object) : m_object(std::move(object)) { }
    Result<QString> rawString(const QString &field, bool required) const;

    QJsonObject m_object;
};

// A rough but strict check: one @, no spaces or control characters, a dot in
// the domain, at most 254 characters (RFC 5321's limit).
bool isPlausibleEmail(const QString &email);

} // namespace openaps::api
