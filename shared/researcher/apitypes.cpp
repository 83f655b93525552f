#include "researcher/apitypes.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace openaps::researcher {

namespace {

QString isoUtc(const QDateTime &t)
{
    return t.toUTC().toString(Qt::ISODate);
}

Result<QJsonArray> arrayIn(const QByteArray &body, const QString &key)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &error);
    if (!doc.isObject() || !doc.object().value(key).isArray())
        return makeError("bad-answer",
                         QStringLiteral("The server's answer could not be read "
                                        "(is this an OpenAPS Data Commons server?)."));
    return doc.object().value(key).toArray();
}

} // namespace

Account Account::fromJson(const QJsonObject &o)
{
    Account a;
    a.id = o.value(QLatin1String("id")).toVariant().toLongLong();
    a.name = o.value(QLatin1String("name")).toString();
    a.email = o.value(QLatin1String("email")).toString();
    a.institution = o.value(QLatin1String("institution")).toString();
    a.scope = o.value(QLatin1String("scope")).toString();
    a.isAdmin = o.value(QLatin1String("is_admin")).toBool();
    a.purpose = o.value(QLatin1String("purpose")).toString();
    a.status = o.value(QLatin1String("status")).toString();
    a.createdAt = QDateTime::fromString(o.value(QLatin1String("created_at")).toString(), Qt::ISODateWithMs);
    a.application = ApplicationDetails::fromJson(o.value(QLatin1String("application")).toObject());
    return a;
}

ApplicationDetails ApplicationDetails::fromJson(const QJsonObject &o)
{
    ApplicationDetails d;
    d.phone = o.value(QLatin1String("phone")).toString();
    d.irbApproval = o.value(QLatin1String("irb_approval")).toString();
    d.irbDetails = o.value(QLatin1String("irb_details")).toString();
    d.sponsorOrganisation = o.value(QLatin1String("sponsor_organisation")).toString();
    d.dataCommons = o.value(QLatin1String("data_commons")).toString();
    d.termsVersion = o.value(QLatin1String("terms_version")).toString();
    d.termsAcceptedAt = QDateTime::fromString(o.value(QLatin1String("terms_accepted_at")).toString(),
                                              Qt::ISODateWithMs);
    d.rejectionReason = o.value(QLatin1String("rejection_reason")).toString();
    return d;
}

QJsonObject Application::toJson() const
{
    return { { QStringLiteral("name"), name },
             { QStringLiteral("email"), email },
             { QStringLiteral("institution"), institution },
             { QStringLiteral("purpose"), purpose },
             { QStringLiteral("password"), password },
             { QStringLiteral("phone"), phone },
             { QStringLiteral("irb_approval"), irbApproval },
             { QStringLiteral("irb_details"), irbDetails },
             { QStringLiteral("sponsor_organisation"), sponsorOrganisation },
             { QStringLiteral("data_commons"), dataCommons },
             { QStringLiteral("accept_terms"), !acceptedTerms.isEmpty() },
             { QStringLiteral("terms_version"), acceptedTerms } };
}

Result<QList<Dataset>> parseDatasets(const QByteArray &body)
{
    const auto array = arrayIn(body, QStringLiteral("datasets"));
    if (!array)
        return array.error();
    QList<Dataset> out;
    for (const QJsonValue &v : *array) {
        const QJsonObject o = v.toObject();
        Dataset d { o.value(QLatin1String("name")).toString(), {}, o.value(QLatin1String("time_column")).toString() };
        const QJsonArray columns = o.value(QLatin1String("columns")).toArray();
        for (const QJsonValue &c : columns)
            d.columns.append({ c.toObject().value(QLatin1String("name")).toString(),
                               c.toObject().value(QLatin1String("type")).toString() });
        if (!d.name.isEmpty())
            out.append(d);
    }
    return out;
}

Result<QList<Account>> parseAccounts(const QByteArray &body)
{
    const auto array = arrayIn(body, QStringLiteral("researchers"));
    if (!array)
        return array.error();
    QList<Account> out;
    for (const QJsonValue &v : *array)
        out.append(Account::fromJson(v.toObject()));
    return out;
}

QUrlQuery ExportFilter::query() const
{
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("format"), format);
    if (from.isValid())
        q.addQueryItem(QStringLiteral("from"), isoUtc(from));
    if (to.isValid())
        q.addQueryItem(QStringLiteral("to"), isoUtc(to));
    if (!participants.isEmpty())
        q.addQueryItem(QStringLiteral("participants"), participants.join(QLatin1Char(',')));
    if (gzip)
        q.addQueryItem(QStringLiteral("gzip"), QStringLiteral("1"));
    // ':' and '+' in the times must reach the server as written.
    q.setQueryDelimiters(QLatin1Char('='), QLatin1Char('&'));
    return q;
}

QString ExportFilter::defaultFileName() const
{
    const auto day = [](const QDateTime &t, const char *none) {
        return t.isValid() ? t.toUTC().toString(QStringLiteral("yyyyMMdd")) : QString::fromLatin1(none);
    };
    // `to` is exclusive: the name shows the last day the file covers
    // ("to 27 Nov 00:00" holds up to 26 Nov 23:59:59.999).
    const QDateTime lastIncluded = to.isValid() ? to.addMSecs(-1) : to;
    return dataset + QLatin1Char('_') + day(from, "start") + QLatin1Char('_') + day(lastIncluded, "now")
            + (format == QLatin1String("ndjson") ? QLatin1String(".ndjson") : QLatin1String(".csv"))
            + (gzip ? QLatin1String(".gz") : QLatin1String(""));
}

} // namespace openaps::researcher
