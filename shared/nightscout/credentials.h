#pragma once

#include <QByteArray>
#include <QString>

class QNetworkRequest;
class QUrl;

namespace openaps::ns {

// How a request proves it may read a secured Nightscout site.
// An access token (made in Nightscout's Admin Tools) travels as `?token=`;
// an API secret travels as header `api-secret: <sha1 hex of the secret>`,
// because Nightscout rejects the plain secret. Only the hash is kept.
class Credentials
{
public:
    enum class Kind { None, AccessToken, ApiSecret };

    Credentials() = default;
    static Credentials accessToken(const QString &token);
    // A value that already is 40 hex digits is taken as the SHA-1 itself.
    static Credentials apiSecret(const QString &secret);

    Kind kind() const { return m_kind; }
    bool isEmpty() const { return m_kind == Kind::None; }

    // "access token", "API secret" or "no credentials", for messages.
    QString describe() const;

    // Adds the token to the query or the header to the request.
    void applyTo(QUrl &url, QNetworkRequest &request) const;

    // The value sent: the token, or the SHA-1 hex of the secret.
    QByteArray wireValue() const { return m_value; }

    // The header value Nightscout expects for a plain API secret.
    static QByteArray hashSecret(const QString &secret);

private:
    Credentials(Kind kind, QByteArray value) : m_kind(kind), m_value(std::move(value)) { }

    Kind m_kind = Kind::None;
    QByteArray m_value;
};

} // namespace openaps::ns
