#include "openhumans/types.h"

#include <QRegularExpression>

namespace openaps::oh {

QDateTime parseTime(const QString &text)
{
    static const QRegularExpression longFraction(QStringLiteral("(\\.\\d{3})\\d+"));
    QString trimmed = text.trimmed();
    trimmed.replace(longFraction, QStringLiteral("\\1"));
    const QDateTime time = QDateTime::fromString(trimmed, Qt::ISODateWithMs);
    return time.isValid() ? time.toUTC() : QDateTime();
}

QList<MemberFile> Member::filesNamed(const QString &basename) const
{
    QList<MemberFile> named;
    for (const MemberFile &f : files) {
        if (f.basename == basename)
            named.append(f);
    }
    return named;
}

std::optional<MemberFile> Member::file(const QString &id) const
{
    for (const MemberFile &f : files) {
        if (f.id == id)
            return f;
    }
    return std::nullopt;
}

} // namespace openaps::oh
