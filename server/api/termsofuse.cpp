#include "api/termsofuse.h"

#include <QDir>
#include <QFile>

namespace openaps::api {

const TermsOfUse &TermsOfUse::current()
{
    static const TermsOfUse terms = [] {
        TermsOfUse newest;
        int newestNumber = 0;
        const QStringList files = QDir(QStringLiteral(":/api/terms")).entryList({ QStringLiteral("v*.txt") });
        for (const QString &name : files) {
            const int number = name.mid(1, name.size() - 5).toInt();
            QFile file(QStringLiteral(":/api/terms/") + name);
            if (number <= newestNumber || !file.open(QIODevice::ReadOnly))
                continue;
            newestNumber = number;
            newest = { name.chopped(4), QString::fromUtf8(file.readAll()) };
        }
        return newest;
    }();
    return terms;
}

} // namespace openaps::api
