#include "researcher/listings.h"

#include "core/wholenumber.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace openaps::researcher {

namespace {

Error badAnswer()
{
    return makeError(
            "bad-answer",
            QStringLiteral("The server's answer could not be read (is this an OpenAPS Data Commons server?)."));
}

Result<QJsonObject> objectOf(const QByteArray &body, const char *arrayKey)
{
    const QJsonDocument doc = QJsonDocument::fromJson(body);
    if (!doc.isObject() || !doc.object().value(QLatin1String(arrayKey)).isArray())
        return badAnswer();
    return doc.object();
}

QDateTime timeOf(const QJsonValue &v)
{
    return QDateTime::fromString(v.toString(), Qt::ISODateWithMs);
}

qint64 whole(const QJsonValue &v)
{
    return wholeNumber(v).value_or(0);
}

// user_id is a number in JSON, a text in the export's CSV: text here.
QString idText(const QJsonValue &v)
{
    if (v.isString())
        return v.toString();
    const auto n = wholeNumber(v);
    return n ? QString::number(*n) : QString();
}

} // namespace

Result<QList<Participant>> parseParticipants(const QByteArray &body)
{
    const auto o = objectOf(body, "participants");
    if (!o)
        return o.error();
    QList<Participant> out;
    const QJsonArray list = o->value(QLatin1String("participants")).toArray();
    out.reserve(list.size());
    for (const QJsonValue v : list) {
        Participant p;
        p.userId = idText(v[QLatin1String("user_id")]);
        p.consent = v[QLatin1String("consent")].toString();
        p.firstData = timeOf(v[QLatin1String("first_data")]);
        p.lastData = timeOf(v[QLatin1String("last_data")]);
        p.daysWithData = int(whole(v[QLatin1String("days_with_data")]));
        p.sufficient = v[QLatin1String("sufficient")].toBool();
        if (!p.userId.isEmpty())
            out.append(p);
    }
    return out;
}

std::optional<ParticipantSummary> parseSummaryLine(const QByteArray &line)
{
    const QJsonObject o = QJsonDocument::fromJson(line).object();
    if (o.value(QLatin1String("period")).toString() != QLatin1String("all"))
        return std::nullopt;
    ParticipantSummary s { idText(o.value(QLatin1String("user_id"))), {} };
    for (auto it = o.constBegin(); it != o.constEnd(); ++it) {
        if (it.value().isDouble())
            s.figures.insert(it.key(), it.value().toDouble());
        else if (it.value().isBool())
            s.figures.insert(it.key(), it.value().toBool() ? 1 : 0);
    }
    if (s.userId.isEmpty())
        return std::nullopt;
    return s;
}

Result<QList<UsageRow>> parseUsage(const QByteArray &body)
{
    const auto o = objectOf(body, "researchers");
    if (!o)
        return o.error();
    QList<UsageRow> out;
    const QJsonArray list = o->value(QLatin1String("researchers")).toArray();
    for (const QJsonValue v : list) {
        UsageRow r;
        r.researcherId = whole(v[QLatin1String("researcher_id")]);
        r.name = v[QLatin1String("name")].toString();
        r.email = v[QLatin1String("email")].toString();
        r.institution = v[QLatin1String("institution")].toString();
        r.status = v[QLatin1String("status")].toString();
        r.downloads = whole(v[QLatin1String("downloads")]);
        r.complete = whole(v[QLatin1String("complete")]);
        r.rows = whole(v[QLatin1String("rows")]);
        r.bytes = whole(v[QLatin1String("bytes")]);
        r.lastDownloadAt = timeOf(v[QLatin1String("last_download_at")]);
        r.lastActivity = timeOf(v[QLatin1String("last_activity")]);
        out.append(r);
    }
    return out;
}

Result<DownloadLogPage> parseDownloadLog(const QByteArray &body)
{
    const auto o = objectOf(body, "downloads");
    if (!o)
        return o.error();
    DownloadLogPage page;
    page.total = whole(o->value(QLatin1String("total")));
    page.limit = whole(o->value(QLatin1String("limit")));
    page.offset = whole(o->value(QLatin1String("offset")));
    const QJsonArray list = o->value(QLatin1String("downloads")).toArray();
    for (const QJsonValue v : list) {
        DownloadLogRow r;
        r.id = whole(v[QLatin1String("id")]);
        r.researcherId = whole(v[QLatin1String("researcher_id")]);
        r.dataset = v[QLatin1String("dataset")].toString();
        const QJsonValue filters = v[QLatin1String("filters")];
        r.filters = filters.isString()
                ? filters.toString()
                : QString::fromUtf8(QJsonDocument(filters.toObject()).toJson(QJsonDocument::Compact));
        r.format = v[QLatin1String("format")].toString();
        r.outcome = v[QLatin1String("outcome")].toString();
        r.rows = whole(v[QLatin1String("rows")]);
        r.bytes = whole(v[QLatin1String("bytes")]);
        r.startedAt = timeOf(v[QLatin1String("started_at")]);
        r.finishedAt = timeOf(v[QLatin1String("finished_at")]);
        page.rows.append(r);
    }
    return page;
}

} // namespace openaps::researcher
