#include "researcher/releasetypes.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>

namespace openaps::researcher {

namespace {

QDateTime time(const QJsonObject &o, const char *key)
{
    return QDateTime::fromString(o.value(QLatin1String(key)).toString(), Qt::ISODateWithMs);
}

Error badAnswer()
{
    return makeError(
            "bad-answer",
            QStringLiteral("The server's answer could not be read (is this an OpenAPS Data Commons server?)."));
}

} // namespace

QJsonObject ReleaseRequest::toJson() const
{
    QJsonObject o { { QStringLiteral("datasets"), QJsonArray::fromStringList(datasets) },
                    { QStringLiteral("format"), format },
                    { QStringLiteral("compression"), deflate ? QStringLiteral("deflate") : QStringLiteral("store") } };
    if (from.isValid())
        o.insert(QStringLiteral("from"), from.toUTC().toString(Qt::ISODate));
    if (to.isValid())
        o.insert(QStringLiteral("to"), to.toUTC().toString(Qt::ISODate));
    if (!participants.isEmpty())
        o.insert(QStringLiteral("participants"), QJsonArray::fromStringList(participants));
    return o;
}

bool ReleaseInfo::isPending() const
{
    return state == QLatin1String("queued") || state == QLatin1String("running");
}

int ReleaseInfo::percent() const
{
    if (state == QLatin1String("ready"))
        return 100;
    if (state != QLatin1String("running") || rowsEstimate < 0)
        return -1;
    if (rowsEstimate == 0)
        return 99;
    return int(std::min<qint64>(99, rows * 100 / rowsEstimate));
}

ReleaseInfo ReleaseInfo::fromJson(const QJsonObject &o)
{
    ReleaseInfo r;
    r.id = o.value(QLatin1String("id")).toInteger();
    r.state = o.value(QLatin1String("state")).toString();
    for (const QJsonValue v : o.value(QLatin1String("datasets")).toArray())
        r.datasets << v.toString();
    r.format = o.value(QLatin1String("format")).toString();
    r.compression = o.value(QLatin1String("compression")).toString();
    r.rows = o.value(QLatin1String("rows")).toInteger();
    r.rowsEstimate = o.value(QLatin1String("rows_estimate")).toInteger(-1);
    r.bytes = o.value(QLatin1String("bytes")).toInteger();
    r.sha256 = o.value(QLatin1String("sha256")).toString();
    r.error = o.value(QLatin1String("error")).toString();
    r.createdAt = time(o, "created_at");
    r.finishedAt = time(o, "finished_at");
    r.expiresAt = time(o, "expires_at");
    return r;
}

Result<ReleaseInfo> parseRelease(const QByteArray &body)
{
    const QJsonObject o = QJsonDocument::fromJson(body).object();
    if (o.value(QLatin1String("id")).toInteger() <= 0 || o.value(QLatin1String("state")).toString().isEmpty())
        return badAnswer();
    return ReleaseInfo::fromJson(o);
}

Result<QList<ReleaseInfo>> parseReleases(const QByteArray &body)
{
    const QJsonValue list = QJsonDocument::fromJson(body).object().value(QLatin1String("releases"));
    if (!list.isArray())
        return badAnswer();
    QList<ReleaseInfo> out;
    for (const QJsonValue v : list.toArray())
        out << ReleaseInfo::fromJson(v.toObject());
    return out;
}

} // namespace openaps::researcher
