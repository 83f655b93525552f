#include "legacy/legacymigration.h"

#include "db/sqlhelpers.h"
#include "etl/analytics.h"
#include "legacy/accounts.h"
#include "legacy/legacylog.h"
#include "legacy/researchrows.h"
#include "legacy/surveyanswers.h"
#include "privacy/participantdata.h"
#include "records/consent.h"
#include "survey/demographicstable.h"

#include <QDate>

#include <QTextStream>

namespace openaps::legacy {

namespace {

// The old tables the description names; an older shape fails here, in words.
Status checkSource(const db::Database &source)
{
    const QStringList needed { QStringLiteral("register.openhumans_openhumansmember"),
                               QStringLiteral("openaps.entries"),
                               QStringLiteral("openaps.treatments"),
                               QStringLiteral("openaps.device_status"),
                               QStringLiteral("openaps.device_status_metrics"),
                               QStringLiteral("openaps.profile"),
                               QStringLiteral("openaps.member_demographics"),
                               QStringLiteral("openaps.app_users"),
                               QStringLiteral("openaps.researcher_applications") };
    for (const QString &table : needed) {
        auto q = sql::exec(source, QStringLiteral("SELECT to_regclass(?) IS NOT NULL"), { table },
                           "checking the old database");
        if (!q)
            return q.error();
        if (!q->next() || !q->value(0).toBool())
            return makeError("legacy-schema",
                             QStringLiteral("The old database has no table %1: is it the old Data Commons "
                                            "database (and of its latest shape)?")
                                     .arg(table));
    }
    return {};
}

// The members' newest stamps decide their rows' source entity, as a consent
// change does in the ETL: rows are restamped, "none" removes them.
Status applyStamps(const db::Database &target, MemberDirectory &directory, MigrationReport &report)
{
    for (LegacyMember &member : directory.members()) {
        if (member.knownConsent || member.erased || member.stampedMs < 0 || member.participantId == 0)
            continue;
        const auto consent = records::parseConsent(member.stampedConsent);
        if (!consent)
            continue;
        if (*consent == records::Consent::None) {
            auto removed = privacy::removeParticipantData(target, member.pseudonym, member.participantId);
            if (!removed)
                return removed.error();
            report.withdrawn += *removed;
        } else {
            auto changed = privacy::restampSourceEntity(target, member.pseudonym, member.sourceEntity(), member.guard);
            if (!changed && !privacy::isErased(changed.error()))
                return changed.error();
            report.restamped += changed ? *changed : 0;
        }
        // What the member's rows now say, for the survey and the next ETL cycle.
        auto q = sql::exec(target,
                           QStringLiteral("INSERT INTO etl_participants (participant_id, consent) VALUES (?, ?) "
                                          "ON CONFLICT (participant_id) DO NOTHING"),
                           { member.participantId, member.stampedConsent }, "recording a member's consent");
        if (!q)
            return q.error();
    }
    return {};
}

} // namespace

QString MigrationReport::text() const
{
    QString out;
    QTextStream s(&out);
    s << (dryRun ? "Dry run: nothing was written. What a migration would do now:\n"
                 : "Migration report (all runs so far; this run in brackets):\n");
    for (const QString &table : tables) {
        const TableCounts all = allRuns.value(table);
        const TableCounts now = thisRun.value(table);
        s << QStringLiteral("  %1: copied %2, skipped %3, bad %4")
                        .arg(table)
                        .arg(all.copied)
                        .arg(all.skippedRows())
                        .arg(all.badRows());
        if (!dryRun)
            s << QStringLiteral(" (this run: read %1, copied %2)").arg(now.read).arg(now.copied);
        s << '\n';
        for (auto it = all.skipped.begin(); it != all.skipped.end(); ++it)
            s << QStringLiteral("      skipped %1: %2\n").arg(it.value()).arg(it.key());
        for (auto it = all.bad.begin(); it != all.bad.end(); ++it)
            s << QStringLiteral("      bad %1: %2\n").arg(it.value()).arg(it.key());
    }
    if (restamped || withdrawn)
        s << QStringLiteral("  consent: %1 rows stamped with their member's newest consent, %2 rows removed "
                            "(consent none)\n")
                        .arg(restamped)
                        .arg(withdrawn);
    return out;
}

Result<MigrationReport> migrateLegacy(const db::Database &target, const MigrationOptions &options)
{
    auto url = db::DatabaseUrl::parse(options.sourceUrl);
    if (!url || url->backend != db::Backend::Postgres)
        return makeError("usage", QStringLiteral("--from must be a postgresql:// URL of the old database."));
    const db::Database source(*url);
    if (auto s = source.ping(); !s)
        return s.error();
    if (auto s = checkSource(source); !s)
        return s.error();
    // Read the old database in one snapshot, so the tables agree with each other.
    if (auto s = sql::run(*source.connection(), QStringLiteral("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"),
                          "starting to read the old database");
        !s)
        return s.error();

    MigrationBook book(target, options.dryRun);
    MemberContext members {
        source, target,          privacy::ParticipantKeys(options.secretKey, options.pseudonymKey), options.secretKey,
        &book,  options.progress
    };
    MigrationReport report;
    report.dryRun = options.dryRun;
    auto note = [&report](const QString &table, const TableCounts &counts) {
        report.tables << table;
        report.thisRun[table] += counts;
    };

    auto copied = copyMembers(members);
    if (!copied)
        return copied.error();
    note(QStringLiteral("register.openhumans_openhumansmember"), *copied);

    auto directory = loadDirectory(members);
    if (!directory)
        return directory.error();
    const RowsContext rows { members, &*directory, options.batchRows };
    for (const ResearchSource &from : researchSources()) {
        auto counts = copyResearchRows(rows, from);
        if (!counts)
            return counts.error();
        note(QLatin1String(from.table), *counts);
        if (from.type == records::DataType::DeviceStatus) {
            auto metrics = countOldMetrics(members);
            if (!metrics)
                return metrics.error();
            note(QStringLiteral("openaps.device_status_metrics"), *metrics);
        }
    }
    if (!options.dryRun) {
        if (auto s = applyStamps(target, *directory, report); !s)
            return s.error();
    }
    auto answers = copySurveyAnswers(members, *directory);
    if (!answers)
        return answers.error();
    note(QStringLiteral("openaps.member_demographics"), *answers);

    auto accounts = copyAccounts(members);
    if (!accounts)
        return accounts.error();
    note(QStringLiteral("openaps.app_users"), *accounts);
    auto applications = copyApplications(members);
    if (!applications)
        return applications.error();
    note(QStringLiteral("openaps.researcher_applications"), *applications);

    if (options.analytics && !options.dryRun) {
        // As after an ETL load: the derived tables follow the rows.
        for (const LegacyMember &member : directory->members()) {
            if (member.erased || member.participantId == 0)
                continue;
            if (auto s = etl::refreshParticipantAnalytics(target, member.pseudonym, member.guard,
                                                          etl::Recompute::Everything);
                !s && !privacy::isErased(s.error()))
                return s.error();
        }
        if (auto s = survey::refreshDemographics(target, members.keys, QDate::currentDate()); !s)
            return s.error();
        if (options.progress)
            options.progress(QStringLiteral("analytics refreshed for %1 members").arg(directory->members().size()));
    }

    if (options.dryRun) {
        report.allRuns = report.thisRun;
    } else {
        auto totals = book.totals();
        if (!totals)
            return totals.error();
        report.allRuns = *totals;
    }
    return report;
}

} // namespace openaps::legacy
