#include "ingest/filelayout.h"

#include <QDateTime>
#include <QRegularExpression>
#include <QUrlQuery>

namespace openaps::ingest {

QString segmentFileName(const QString &memberId, etl::DataType type, const QDate &month)
{
    return QStringLiteral("%1_%2_%3-%4.ndjson.gz")
            .arg(memberId, etl::dataTypeName(type))
            .arg(month.year(), 4, 10, QLatin1Char('0'))
            .arg(month.month(), 2, 10, QLatin1Char('0'));
}

std::optional<QDate> segmentMonth(const QString &basename, const QString &memberId, etl::DataType type)
{
    const QString prefix = memberId + QLatin1Char('_') + etl::dataTypeName(type) + QLatin1Char('_');
    const QLatin1String suffix(".ndjson.gz");
    if (!basename.startsWith(prefix) || !basename.endsWith(suffix))
        return std::nullopt;
    const QString stamp = basename.mid(prefix.size(), basename.size() - prefix.size() - suffix.size());
    static const QRegularExpression shape(QStringLiteral(R"(^(\d{4})-(\d{2})$)"));
    const auto match = shape.match(stamp);
    if (!match.hasMatch())
        return std::nullopt;
    const QDate month(match.captured(1).toInt(), match.captured(2).toInt(), 1);
    if (!month.isValid())
        return std::nullopt;
    return month;
}

std::optional<qint64> legacyUpperBound(const QString &basename, const QString &memberId, etl::DataType type)
{
    const QString tail = QLatin1Char('_') + memberId + QLatin1Char('_') + etl::dataTypeName(type);
    static const QRegularExpression shape(QStringLiteral(R"(^(\d{1,16})(_.*)\.json(\.gz)?$)"));
    const auto match = shape.match(basename);
    if (!match.hasMatch() || match.captured(2) != tail)
        return std::nullopt;
    return match.captured(1).toLongLong();
}

Result<NightscoutAccess> parseUrlFile(const QString &text)
{
    QString line;
    const QStringList lines = text.split(QLatin1Char('\n'));
    for (const QString &l : lines) {
        if (!l.trimmed().isEmpty()) {
            line = l.trimmed();
            break;
        }
    }
    auto site = ns::SiteUrl::parse(line);
    if (!site)
        return Error { site.error().code,
                       QStringLiteral("The Nightscout address saved in your Open Humans account cannot "
                                      "be used: ") + site.error().message };
    NightscoutAccess access { *site, {} };
    const QString withScheme = line.contains(QLatin1String("://")) ? line : QLatin1String("https://") + line;
    const QString secret = QUrlQuery(QUrl(withScheme)).queryItemValue(QStringLiteral("api_secret"),
                                                                       QUrl::FullyDecoded);
    if (!site->token().isEmpty())
        access.credentials = ns::Credentials::accessToken(site->token());
    else if (!secret.trimmed().isEmpty())
        access.credentials = ns::Credentials::apiSecret(secret.trimmed());
    return access;
}

std::optional<QString> parseConsentFile(const QString &text)
{
    const QString value = text.trimmed().toLower();
    static const QStringList known { QStringLiteral("openaps"), QStringLiteral("nsf"), QStringLiteral("both"),
                                     QStringLiteral("none") };
    if (known.contains(value))
        return value;
    return std::nullopt;
}

ns::Collection collectionOf(etl::DataType type)
{
    switch (type) {
    case etl::DataType::Entries:
        return ns::Collection::Entries;
    case etl::DataType::Treatments:
        return ns::Collection::Treatments;
    case etl::DataType::DeviceStatus:
        return ns::Collection::DeviceStatus;
    case etl::DataType::Profile:
        return ns::Collection::Profiles;
    }
    return ns::Collection::Entries;
}

QDate monthOf(qint64 epochMs)
{
    const QDate day = QDateTime::fromMSecsSinceEpoch(epochMs, Qt::UTC).date();
    return QDate(day.year(), day.month(), 1);
}

qint64 monthStartMs(const QDate &month)
{
    return QDateTime(QDate(month.year(), month.month(), 1), QTime(0, 0), Qt::UTC).toMSecsSinceEpoch();
}

} // namespace openaps::ingest
