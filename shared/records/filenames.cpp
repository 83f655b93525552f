#include "records/filenames.h"

#include <QDateTime>
#include <QRegularExpression>

namespace openaps::records {

QString segmentFileName(const QString &memberId, DataType type, const QDate &month)
{
    return QStringLiteral("%1_%2_%3-%4.ndjson.gz")
            .arg(memberId, dataTypeName(type))
            .arg(month.year(), 4, 10, QLatin1Char('0'))
            .arg(month.month(), 2, 10, QLatin1Char('0'));
}

std::optional<QDate> segmentMonth(const QString &basename, const QString &memberId, DataType type)
{
    const QString prefix = memberId + QLatin1Char('_') + dataTypeName(type) + QLatin1Char('_');
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

std::optional<qint64> legacyUpperBound(const QString &basename, const QString &memberId, DataType type)
{
    const QString tail = QLatin1Char('_') + memberId + QLatin1Char('_') + dataTypeName(type);
    static const QRegularExpression shape(QStringLiteral(R"(^(\d{1,16})(_.*)\.json(\.gz)?$)"));
    const auto match = shape.match(basename);
    if (!match.hasMatch() || match.captured(2) != tail)
        return std::nullopt;
    return match.captured(1).toLongLong();
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

FileKind classifyFile(const QString &basename, const QStringList &tags)
{
    FileKind kind;
    const QString name = basename.toLower();
    if (name.endsWith(consentFileSuffix) || name == consentFileSuffix.mid(1)) {
        kind.kind = FileKind::Consent;
        return kind;
    }
    if (name.endsWith(urlFileSuffix) || name == urlFileSuffix.mid(1)) {
        kind.kind = FileKind::NightscoutUrl;
        return kind;
    }
    static const QRegularExpression dataExtension(QStringLiteral(R"(\.(json|ndjson|jsonl)(\.gz)?$)"));
    const auto ext = dataExtension.match(name);
    if (!ext.hasMatch())
        return kind;
    kind.gzip = !ext.captured(2).isEmpty();
    const QString stem = name.left(ext.capturedStart());

    // The type is one of the stem's _-separated tokens; the legacy form has it
    // last, the segment form before the month.
    const QStringList tokens = stem.split(QRegularExpression(QStringLiteral("[_.-]")), Qt::SkipEmptyParts);
    for (auto it = tokens.crbegin(); it != tokens.crend(); ++it) {
        if (auto type = dataTypeFromName(*it)) {
            kind.kind = FileKind::Data;
            kind.dataType = *type;
            return kind;
        }
    }
    // "device_status" spans two tokens.
    if (stem.contains(QLatin1String("device_status"))) {
        kind.kind = FileKind::Data;
        kind.dataType = DataType::DeviceStatus;
        return kind;
    }
    for (const QString &tag : tags) {
        if (auto type = dataTypeFromName(tag)) {
            kind.kind = FileKind::Data;
            kind.dataType = *type;
            return kind;
        }
    }
    return kind;
}

QString memberIdFromFileName(const QString &basename)
{
    static const QRegularExpression legacy(QStringLiteral(R"(^\d+_(\d+)_[a-z_]+\.)"));
    static const QRegularExpression leading(QStringLiteral(R"(^(\d+)_[a-z])"));
    if (auto m = legacy.match(basename); m.hasMatch())
        return m.captured(1);
    if (auto m = leading.match(basename); m.hasMatch())
        return m.captured(1);
    return {};
}

} // namespace openaps::records
