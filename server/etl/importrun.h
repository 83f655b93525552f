#pragma once

#include "db/database.h"
#include "etl/fileloader.h"
#include "etl/importplan.h"
#include "privacy/participantkeys.h"

#include <functional>

namespace openaps::etl {

// What importFiles() tells as it goes (each may be empty).
struct ImportEvents
{
    // A file's counts while it loads (`done` false), then once at its end.
    std::function<void(const QString &label, const FileReport &report, bool done)> progress;
    // A file not loaded: its member was erased (`erased`), or the load failed.
    std::function<void(const QString &label, const QString &message, bool erased)> fileFailed;
    // A file loaded in part: reading it stopped early (FileReport::readError).
    std::function<void(const QString &label, const QString &readError)> readFailed;
    // A member's analytics could not be refreshed.
    std::function<void(const Error &error)> analyticsFailed;
};

struct ImportSummary
{
    FileReport total;
    int failed = 0; // files not loaded (erased members' aside) or read only in part
    int members = 0; // members with a file loaded
};

// `openaps-server import`: loads the files of `plan` into the research
// tables under the members' pseudonyms, skipping erased members (their
// tombstones alone decide: there is no account here for most members of a
// project-wide download), then refreshes the analytics of every member
// loaded unless `analytics` is false.
ImportSummary importFiles(const db::Database &database, const privacy::ParticipantKeys &keys, const ImportPlan &plan,
                          bool analytics, const ImportEvents &events);

} // namespace openaps::etl
