#include "http/requests.h"

#include <QLoggingCategory>

namespace openaps::http {

Q_LOGGING_CATEGORY(lcRequests, "openaps.server.http", QtInfoMsg)

RequestSettings RequestSettings::fromConfig(const Config &config)
{
    RequestSettings s;
    s.secretKey = config.secretKey();
    s.postLimit = qMax(1, config.integer(QStringLiteral("SITE_POST_LIMIT")));
    s.postWindow = config.duration(QStringLiteral("SITE_POST_WINDOW"));
    s.maxBodyBytes = qMax(1024, config.integer(QStringLiteral("SITE_MAX_BODY_BYTES")));
    const QStringList proxies = config.value(QStringLiteral("SITE_TRUSTED_PROXIES"))
                                        .split(QLatin1Char(','), Qt::SkipEmptyParts);
    for (const QString &p : proxies) {
        auto subnet = QHostAddress::parseSubnet(p.trimmed());
        if (subnet.first.isNull())
            subnet = { QHostAddress(p.trimmed()), -1 };
        if (!subnet.first.isNull())
            s.trustedProxies.append(subnet);
        else
            qCWarning(lcRequests, "ignoring OPENAPS_SITE_TRUSTED_PROXIES entry that is not an address");
    }
    return s;
}

QMap<QString, QString> parseCookies(const QHttpServerRequest &request)
{
    QMap<QString, QString> cookies;
    const auto headers = request.headers();
    for (const auto &header : headers) {
        if (header.first.compare("cookie", Qt::CaseInsensitive) != 0)
            continue;
        const QList<QByteArray> parts = header.second.split(';');
        for (const QByteArray &part : parts) {
            const qsizetype eq = part.indexOf('=');
            if (eq <= 0)
                continue;
            const QString name = QString::fromLatin1(part.left(eq).trimmed());
            if (!cookies.contains(name))
                cookies.insert(name, QString::fromLatin1(part.mid(eq + 1).trimmed()));
        }
    }
    return cookies;
}

QMap<QString, QString> parseForm(const QByteArray &body)
{
    QMap<QString, QString> fields;
    const QList<QByteArray> pairs = body.split('&');
    for (const QByteArray &pair : pairs) {
        if (pair.isEmpty())
            continue;
        const qsizetype eq = pair.indexOf('=');
        QByteArray name = eq < 0 ? pair : pair.left(eq);
        QByteArray value = eq < 0 ? QByteArray() : pair.mid(eq + 1);
        name.replace('+', ' ');
        value.replace('+', ' ');
        const QString key = QString::fromUtf8(QByteArray::fromPercentEncoding(name));
        if (!fields.contains(key))
            fields.insert(key, QString::fromUtf8(QByteArray::fromPercentEncoding(value)));
    }
    return fields;
}

QHostAddress clientAddress(const QHttpServerRequest &request, const RequestSettings &settings)
{
    const QHostAddress peer = request.remoteAddress();
    bool trusted = false;
    for (const auto &subnet : settings.trustedProxies) {
        if (subnet.second < 0 ? peer.isEqual(subnet.first) : peer.isInSubnet(subnet))
            trusted = true;
    }
    if (!trusted)
        return peer;
    // The proxy appends the address it saw last; earlier hops are client-supplied.
    const QList<QByteArray> hops = request.value("X-Forwarded-For").split(',');
    const QHostAddress forwarded(QString::fromLatin1(hops.last().trimmed()));
    return forwarded.isNull() ? peer : forwarded;
}

qint64 declaredBodySize(const QHttpServerRequest &request)
{
    const QByteArray length = request.value("Content-Length");
    if (length.isEmpty())
        return request.body().size();
    bool ok = false;
    const qint64 n = length.trimmed().toLongLong(&ok);
    return ok && n >= 0 ? n : -1;
}

} // namespace openaps::http
