#include "etl/importplan.h"

#include "privacy/participantdata.h"
#include "records/consent.h"
#include "records/datatype.h"
#include "records/filenames.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>

#include <algorithm>

namespace openaps::etl {

namespace {

bool isNumber(const QString &text, qint64 *value)
{
    bool ok = false;
    *value = text.toLongLong(&ok);
    return ok && *value > 0;
}

} // namespace

qint64 memberOfFile(const QString &path, const QString &root)
{
    qint64 id = 0;
    if (isNumber(records::memberIdFromFileName(QFileInfo(path).fileName()), &id))
        return id;
    QDir dir = QFileInfo(path).absoluteDir();
    const QString top = QDir(root).absolutePath();
    while (dir.absolutePath().startsWith(top)) {
        if (isNumber(dir.dirName(), &id))
            return id;
        if (dir.absolutePath() == top || !dir.cdUp())
            break;
    }
    return 0;
}

void sortForImport(QList<ImportFile> &files)
{
    std::stable_sort(files.begin(), files.end(), [](const ImportFile &a, const ImportFile &b) {
        if (a.userId != b.userId)
            return a.userId < b.userId;
        const bool aProfile = a.type == records::DataType::Profile;
        const bool bProfile = b.type == records::DataType::Profile;
        if (aProfile != bProfile)
            return aProfile;
        return a.path < b.path;
    });
}

Result<ImportPlan> planDirectory(const QString &dir, int defaultSourceEntity)
{
    if (!QFileInfo(dir).isDir())
        return makeError("import", QStringLiteral("%1 is not a folder.").arg(dir));
    ImportPlan plan;
    QMap<qint64, QString> consent;
    QDirIterator it(dir, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        const records::FileKind kind = records::classifyFile(it.fileName());
        if (kind.kind == records::FileKind::NightscoutUrl)
            continue; // never read: a participant's site address is not research data
        const qint64 member = memberOfFile(path, dir);
        if (kind.kind == records::FileKind::Consent && member) {
            QFile file(path);
            if (file.open(QIODevice::ReadOnly))
                consent.insert(member, QString::fromUtf8(file.read(256)));
            continue;
        }
        if (kind.kind != records::FileKind::Data) {
            plan.skipped << QStringLiteral("%1: not a Nightscout data file").arg(QDir(dir).relativeFilePath(path));
            continue;
        }
        if (!member) {
            plan.skipped
                    << QStringLiteral("%1: no member id in its name or folder").arg(QDir(dir).relativeFilePath(path));
            continue;
        }
        plan.files.append({ path, member, kind.dataType });
    }
    // Each member's source entity from its consent file; "none" or an
    // unreadable file leaves the member out.
    for (const ImportFile &f : std::as_const(plan.files)) {
        if (plan.sourceEntity.contains(f.userId))
            continue;
        int source = defaultSourceEntity;
        if (consent.contains(f.userId)) {
            const auto parsed = records::parseConsent(consent.value(f.userId));
            const auto entity = parsed ? privacy::sourceEntityFor(*parsed) : std::nullopt;
            if (!entity)
                plan.skipped << QStringLiteral("member %1: %2, member left out")
                                        .arg(f.userId)
                                        .arg(parsed ? QStringLiteral("consent is \"none\"")
                                                    : QStringLiteral("the consent file is unreadable"));
            source = entity.value_or(-1);
        }
        plan.sourceEntity.insert(f.userId, source);
    }
    plan.files.erase(std::remove_if(plan.files.begin(), plan.files.end(),
                                    [&plan](const ImportFile &f) { return plan.sourceEntity.value(f.userId) < 0; }),
                     plan.files.end());
    plan.sourceEntity.removeIf([](auto it) { return it.value() < 0; });
    sortForImport(plan.files);
    return plan;
}

} // namespace openaps::etl
