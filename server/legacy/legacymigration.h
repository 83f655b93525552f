#pragma once

#include "core/result.h"
#include "db/database.h"
#include "legacy/legacymembers.h"
#include "legacy/migrationbook.h"

#include <QMap>
#include <QStringList>

namespace openaps::legacy {

struct MigrationOptions
{
    QString sourceUrl; // postgresql://... of the old database
    QByteArray secretKey; // OPENAPS_SECRET_KEY: seals tokens, keys tombstones and scrubbing
    QByteArray pseudonymKey; // OPENAPS_PSEUDONYM_KEY (optional)
    bool dryRun = false;
    bool analytics = true; // refresh the migrated members' analytics at the end
    qint64 batchRows = 20000;
    ProgressLine progress; // one line per batch
};

struct MigrationReport
{
    QStringList tables; // in the order they were copied
    QMap<QString, TableCounts> thisRun;
    QMap<QString, TableCounts> allRuns; // from the bookkeeping (a dry run: this run's)
    qint64 restamped = 0; // rows given their member's newest consent at the end
    qint64 withdrawn = 0; // rows removed: the newest stamp said "none"
    bool dryRun = false;

    // The report as the command prints it: per table, rows copied, skipped
    // and bad, with reasons.
    QString text() const;
};

// `openaps-server migrate-legacy`: copies the old Data Commons database
// (tests/fixtures/legacy/schema.sql describes it) into this one: members and
// their Open Humans tokens, the research tables, the survey answers, the
// researcher accounts and applications. Each table in
// batches after the position the bookkeeping recorded, so a killed run goes
// on where it stopped and a second run adds nothing. A dry run reads
// everything and writes nothing. The target must be migrated first.
Result<MigrationReport> migrateLegacy(const db::Database &target, const MigrationOptions &options);

} // namespace openaps::legacy
