#include "api/export/exportparams.h"

#include <QSet>
#include <QTimeZone>

namespace openaps::api {

namespace {

// Enough for any study; keeps the SQL parameter list bounded.
constexpr int maxParticipants = 1000;

// ISO-8601 with an offset or Z, or without one (read as UTC), or a date
// alone (midnight UTC).
std::optional<QDateTime> parseTime(const QString &text)
{
    if (text.size() == 10) {
        const QDate date = QDate::fromString(text, Qt::ISODate);
        if (date.isValid())
            return QDateTime(date, QTime(0, 0), QTimeZone::utc());
        return std::nullopt;
    }
    QDateTime time = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!time.isValid() || !text.contains(QLatin1Char('T')))
        return std::nullopt;
    if (time.timeSpec() == Qt::LocalTime)
        time.setTimeZone(QTimeZone::utc());
    return time.toUTC();
}

QString fileTime(const std::optional<QDateTime> &time, const char *absent)
{
    return time ? time->toString(QStringLiteral("yyyyMMdd'T'HHmmss'Z'")) : QLatin1String(absent);
}

} // namespace

Result<QDateTime> parseTimeParameter(const QString &name, const QString &value)
{
    if (const auto time = parseTime(value))
        return *time;
    return badParameter(name,
                        QStringLiteral("must be an ISO-8601 time such as 2024-01-31T00:00:00Z or a date such as "
                                       "2024-01-31."));
}

QString formatApiTime(const QDateTime &utc)
{
    return utc.toUTC().toString(QStringLiteral("yyyy-MM-dd'T'HH:mm:ss.zzz'Z'"));
}

QJsonValue apiTimeJson(const std::optional<QDateTime> &utc)
{
    return utc ? QJsonValue(formatApiTime(*utc)) : QJsonValue();
}

Error badParameter(const QString &name, const QString &why)
{
    return makeError("bad-request", QStringLiteral("The parameter '%1' %2").arg(name, why));
}

Status readQueryParameters(const QUrlQuery &query, const QStringList &known,
                           const std::function<Status(const QString &name, const QString &value)> &take)
{
    QSet<QString> seen;
    for (const auto &[name, value] : query.queryItems(QUrl::FullyDecoded)) {
        if (!known.contains(name))
            return badParameter(name, QStringLiteral("is not known here (%1).").arg(known.join(QLatin1String(", "))));
        if (seen.contains(name))
            return badParameter(name, QStringLiteral("is given more than once."));
        seen.insert(name);
        if (auto s = take(name, value); !s)
            return s;
    }
    return {};
}

Status readTimeParameter(const QString &name, const QString &value, std::optional<QDateTime> &target)
{
    auto time = parseTimeParameter(name, value);
    if (!time)
        return time.error();
    target = *time;
    return {};
}

Status checkTimeWindow(const std::optional<QDateTime> &from, const std::optional<QDateTime> &to)
{
    if (from && to && *from >= *to)
        return badParameter(QStringLiteral("to"), QStringLiteral("must be later than 'from'."));
    return {};
}

Result<ExportParams> ExportParams::parse(const QUrlQuery &query, const Dataset &dataset, bool withFormat)
{
    ExportParams p;
    QSet<QString> seen;
    const auto items = query.queryItems(QUrl::FullyDecoded);
    for (const auto &[name, value] : items) {
        if (seen.contains(name))
            return badParameter(name, QStringLiteral("is given more than once."));
        seen.insert(name);
        if (withFormat && name == QLatin1String("format")) {
            if (value == QLatin1String("csv"))
                p.format = ExportFormat::Csv;
            else if (value == QLatin1String("ndjson"))
                p.format = ExportFormat::Ndjson;
            else
                return badParameter(name, QStringLiteral("must be csv or ndjson."));
        } else if (withFormat && (name == QLatin1String("gzip") || name == QLatin1String("spreadsheet_safe"))) {
            bool &flag = name == QLatin1String("gzip") ? p.gzip : p.spreadsheetSafe;
            if (value == QLatin1String("1") || value == QLatin1String("true"))
                flag = true;
            else if (value == QLatin1String("0") || value == QLatin1String("false"))
                flag = false;
            else
                return badParameter(name, QStringLiteral("must be 1 or 0."));
        } else if (name == QLatin1String("from") || name == QLatin1String("to")) {
            const auto time = parseTimeParameter(name, value);
            if (!time)
                return time.error();
            // A dataset without a time column (the survey answers) has no
            // window to cut: the times are checked, then not applied, so
            // one filter can be used for every dataset.
            if (!dataset.timeColumn.isEmpty())
                (name == QLatin1String("from") ? p.from : p.to) = *time;
        } else if (name == QLatin1String("participants")) {
            const QStringList ids = value.split(QLatin1Char(','), Qt::SkipEmptyParts);
            if (ids.isEmpty() || ids.size() > maxParticipants)
                return badParameter(name,
                                    QStringLiteral("must list between 1 and %1 participant ids, "
                                                   "separated by commas.")
                                            .arg(maxParticipants));
            for (const QString &id : ids) {
                bool ok = false;
                const qint64 number = id.trimmed().toLongLong(&ok);
                if (!ok || number <= 0)
                    return badParameter(name,
                                        QStringLiteral("must list participant ids (numbers) "
                                                       "separated by commas."));
                p.participants.append(number);
            }
        } else {
            return badParameter(name, QStringLiteral("is not known here."));
        }
    }
    if (p.spreadsheetSafe && p.format != ExportFormat::Csv)
        return badParameter(QStringLiteral("spreadsheet_safe"), QStringLiteral("applies to format=csv only."));
    if (auto s = checkTimeWindow(p.from, p.to); !s)
        return s.error();
    return p;
}

QString ExportParams::fileName(const Dataset &dataset) const
{
    const QString ext = format == ExportFormat::Csv ? QStringLiteral("csv") : QStringLiteral("ndjson");
    return QStringLiteral("%1_%2_%3.%4%5")
            .arg(dataset.name, fileTime(from, "start"), fileTime(to, "end"), ext,
                 gzip ? QStringLiteral(".gz") : QString());
}

QByteArray ExportParams::contentType() const
{
    return format == ExportFormat::Csv ? QByteArrayLiteral("text/csv; charset=utf-8")
                                       : QByteArrayLiteral("application/x-ndjson");
}

QJsonObject ExportParams::auditFilters() const
{
    QJsonObject filters;
    if (from)
        filters.insert(QStringLiteral("from"), formatApiTime(*from));
    if (to)
        filters.insert(QStringLiteral("to"), formatApiTime(*to));
    if (!participants.isEmpty())
        filters.insert(QStringLiteral("participants"), participants.size());
    if (gzip)
        filters.insert(QStringLiteral("gzip"), true);
    if (spreadsheetSafe)
        filters.insert(QStringLiteral("spreadsheet_safe"), true);
    return filters;
}

} // namespace openaps::api
