#include "nightscout/credentials.h"

#include <QCryptographicHash>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QUrl>
#include <QUrlQuery>

namespace openaps::ns {

Credentials Credentials::accessToken(const QString &token)
{
    const QString trimmed = token.trimmed();
    return trimmed.isEmpty() ? Credentials() : Credentials(Kind::AccessToken, trimmed.toUtf8());
}

Credentials Credentials::apiSecret(const QString &secret)
{
    const QString trimmed = secret.trimmed();
    if (trimmed.isEmpty())
        return {};
    static const QRegularExpression sha1Hex(QStringLiteral("^[0-9a-fA-F]{40}$"));
    return Credentials(Kind::ApiSecret,
                       sha1Hex.match(trimmed).hasMatch() ? trimmed.toLower().toLatin1() : hashSecret(trimmed));
}

QByteArray Credentials::hashSecret(const QString &secret)
{
    return QCryptographicHash::hash(secret.toUtf8(), QCryptographicHash::Sha1).toHex();
}

QString Credentials::describe() const
{
    switch (m_kind) {
    case Kind::None:
        return QStringLiteral("no credentials");
    case Kind::AccessToken:
        return QStringLiteral("access token");
    case Kind::ApiSecret:
        return QStringLiteral("API secret");
    }
    return {};
}

void Credentials::applyTo(QUrl &url, QNetworkRequest &request) const
{
    switch (m_kind) {
    case Kind::None:
        return;
    case Kind::AccessToken: {
        QUrlQuery query(url);
        query.removeAllQueryItems(QStringLiteral("token"));
        query.addQueryItem(QStringLiteral("token"),
                           QString::fromUtf8(QUrl::toPercentEncoding(QString::fromUtf8(m_value))));
        url.setQuery(query);
        return;
    }
    case Kind::ApiSecret:
        request.setRawHeader("api-secret", m_value);
        return;
    }
}

} // namespace openaps::ns
