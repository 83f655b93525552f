#include "etl/importrun.h"

#include "etl/analytics.h"
#include "etl/derivedtables.h"
#include "privacy/tombstones.h"

#include <QFileInfo>
#include <QSet>

namespace openaps::etl {

ImportSummary importFiles(const db::Database &database, const privacy::ParticipantKeys &keys, const ImportPlan &plan,
                          bool analytics, const ImportEvents &events)
{
    ImportSummary summary;
    FileLoader loader(database);
    QSet<qint64> members;
    for (const ImportFile &file : std::as_const(plan.files)) {
        const QString label = QFileInfo(file.path).fileName();
        if (events.progress)
            loader.setProgress([&events, &label](const FileReport &r) { events.progress(label, r, false); });
        const QString member = QString::number(file.userId);
        const LoadTarget target { keys.pseudonym(member), plan.sourceEntity.value(file.userId), label,
                                  privacy::WriteGuard::forMember(keys, member, std::nullopt), keys };
        auto report = loader.loadFile(file.path, file.type, target);
        if (!report) {
            const bool erased = privacy::isErased(report.error());
            if (events.fileFailed)
                events.fileFailed(label, report.error().message, erased);
            summary.failed += erased ? 0 : 1;
            continue;
        }
        if (events.progress)
            events.progress(label, *report, true);
        if (auto s = noteLoadedFile(database, target.userId, label, *report, target.guard); !s && events.readFailed)
            events.readFailed(label, s.error().message);
        if (!report->readError.isEmpty()) {
            if (events.readFailed)
                events.readFailed(label, report->readError);
            ++summary.failed;
        }
        summary.total += *report;
        members.insert(file.userId);
    }
    summary.members = int(members.size());
    for (qint64 userId : std::as_const(members)) {
        if (!analytics)
            break;
        const QString member = QString::number(userId);
        if (auto s = refreshParticipantAnalytics(database, keys.pseudonym(member),
                                                 privacy::WriteGuard::forMember(keys, member, std::nullopt));
            !s && !privacy::isErased(s.error()) && events.analyticsFailed)
            events.analyticsFailed(s.error());
    }
    return summary;
}

} // namespace openaps::etl
