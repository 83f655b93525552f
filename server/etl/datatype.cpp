#include "etl/datatype.h"

#include "openhumans/projectfiles.h"

#include <QRegularExpression>

namespace openaps::etl {

QString dataTypeName(DataType type)
{
    switch (type) {
    case DataType::Entries:
        return QStringLiteral("entries");
    case DataType::Treatments:
        return QStringLiteral("treatments");
    case DataType::DeviceStatus:
        return QStringLiteral("devicestatus");
    case DataType::Profile:
        return QStringLiteral("profile");
    }
    return {};
}

std::optional<DataType> dataTypeFromName(QStringView name)
{
    const QString n = name.trimmed().toString().toLower();
    if (n == QLatin1String("entries") || n == QLatin1String("entry") || n == QLatin1String("sgv"))
        return DataType::Entries;
    if (n == QLatin1String("treatments") || n == QLatin1String("treatment"))
        return DataType::Treatments;
    if (n == QLatin1String("devicestatus") || n == QLatin1String("device_status")
        || n == QLatin1String("device-status"))
        return DataType::DeviceStatus;
    if (n == QLatin1String("profile") || n == QLatin1String("profiles"))
        return DataType::Profile;
    return std::nullopt;
}

FileKind classifyFile(const QString &basename, const QStringList &tags)
{
    FileKind kind;
    const QString name = basename.toLower();
    if (name.endsWith(oh::consentFileSuffix) || name == oh::consentFileSuffix.mid(1)) {
        kind.kind = FileKind::Consent;
        return kind;
    }
    if (name.endsWith(oh::urlFileSuffix) || name == oh::urlFileSuffix.mid(1)) {
        kind.kind = FileKind::NightscoutUrl;
        return kind;
    }
    static const QRegularExpression dataExtension(
            QStringLiteral(R"(\.(json|ndjson|jsonl)(\.gz)?$)"));
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

} // namespace openaps::etl
