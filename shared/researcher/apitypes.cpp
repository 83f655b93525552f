#include "researcher/apitypes.h"

#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

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
    const QJsonValue usage = o.value(QLatin1String("legacy_usage"));
    if (usage.isObject()) {
        const QJsonObject u = usage.toObject();
        const auto count = [&u](const char *key) {
            const QJsonValue v = u.value(QLatin1String(key));
            return v.isDouble() ? QString::number(v.toInteger()) : QStringLiteral("?");
        };
        a.legacyUsage = QStringLiteral("%1 sign-ins").arg(count("login_count"));
        const QDateTime last = QDateTime::fromString(u.value(QLatin1String("last_login_at")).toString(),
                                                     Qt::ISODateWithMs);
        if (last.isValid())
            a.legacyUsage += QStringLiteral(" (last %1)").arg(last.toString(QStringLiteral("yyyy-MM-dd")));
        a.legacyUsage += QStringLiteral(", %1 downloads").arg(count("downloads"));
        if (u.value(QLatin1String("download_mb")).isDouble())
            a.legacyUsage += QStringLiteral(", %1 MiB").arg(u.value(QLatin1String("download_mb")).toDouble());
    }
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
    if (spreadsheetSafe && format == QLatin1String("csv"))
        q.addQueryItem(QStringLiteral("spreadsheet_safe"), QStringLiteral("1"));
    // ':' and '+' in the times must reach the server as written.
    q.setQueryDelimiters(QLatin1Char('='), QLatin1Char('&'));
    return q;
}

QString ExportFilter::datasetSegment() const
{
    return QString::fromLatin1(QUrl::toPercentEncoding(dataset));
}

QString ExportFilter::defaultFileName() const
{
    const auto day = [](const QDateTime &t, const char *none) {
        return t.isValid() ? t.toUTC().toString(QStringLiteral("yyyyMMdd")) : QString::fromLatin1(none);
    };
    // `to` is exclusive: the name shows the last day the file covers
    // ("to 27 Nov 00:00" holds up to 26 Nov 23:59:59.999).
    const QDateTime lastIncluded = to.isValid() ? to.addMSecs(-1) : to;
    return safeFileNamePart(dataset) + QLatin1Char('_') + day(from, "start") + QLatin1Char('_')
            + day(lastIncluded, "now")
            + (format == QLatin1String("ndjson") ? QLatin1String(".ndjson") : QLatin1String(".csv"))
            + (gzip ? QLatin1String(".gz") : QLatin1String(""));
}

namespace {

bool isThisComputer(const QString &host)
{
    if (host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

} // namespace

Result<QUrl> parseServerUrl(const QString &text)
{
    QString t = text.trimmed();
    if (!t.isEmpty() && !t.contains(QLatin1String("://"))) {
        const QString host = QUrl(QStringLiteral("http://") + t).host();
        t.prepend(isThisComputer(host) ? QLatin1String("http://") : QLatin1String("https://"));
    }
    const QUrl url(t, QUrl::StrictMode);
    if (t.isEmpty() || !url.isValid() || url.host().isEmpty()
        || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")))
        return makeError("bad-address",
                         QStringLiteral("Please enter the server address, for example https://data.example.org"));
    if (url.scheme() == QLatin1String("http") && !isThisComputer(url.host()))
        return makeError("insecure-address",
                         QStringLiteral("This address starts with http://, which would send your password and the "
                                        "data unencrypted. Please use the https:// address of the server "
                                        "(http:// works only for a server on this computer)."));
    return url;
}

QString safeFileNamePart(const QString &name)
{
    static const QString forbidden = QStringLiteral("/\\<>:\"|?*");
    QString out;
    for (const QChar c : name) {
        const bool control = c.unicode() < 0x20 || (c.unicode() >= 0x7f && c.unicode() < 0xa0)
                || c.category() == QChar::Other_Format;
        out += control || forbidden.contains(c) ? QLatin1Char('_') : c;
    }
    while (out.contains(QLatin1String("..")))
        out.replace(QLatin1String(".."), QLatin1String("_"));
    out = out.left(64);
    while (!out.isEmpty() && (out.front() == QLatin1Char('.') || out.front() == QLatin1Char(' ')))
        out.remove(0, 1);
    while (!out.isEmpty() && (out.back() == QLatin1Char('.') || out.back() == QLatin1Char(' ')))
        out.chop(1);
    if (out.isEmpty())
        return QStringLiteral("download");
    // Windows' device names, also with an extension ("nul.txt").
    static const QRegularExpression reserved(QStringLiteral("^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\\..*)?$"),
                                             QRegularExpression::CaseInsensitiveOption);
    if (reserved.match(out).hasMatch())
        out.prepend(QLatin1Char('_'));
    return out;
}

} // namespace openaps::researcher
