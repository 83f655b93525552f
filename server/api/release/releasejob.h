#pragma once

#include "api/researcher.h"
#include "core/result.h"
#include "db/database.h"

#include <QDateTime>
#include <QJsonArray>
#include <QStringList>

#include <atomic>
#include <functional>

namespace openaps::api {

// What a release holds (a row of table releases, 0130).
struct ReleaseRequest
{
    qint64 id = 0;
    qint64 researcherId = 0;
    QStringList datasets;
    QString query; // the streamed export's filters as a query string: format, from, to, participants
    bool deflate = true;
    AccessScope scope = AccessScope::OpenAps;
};

// What the job wrote.
struct ReleaseOutcome
{
    qint64 rows = 0;
    qint64 bytes = 0; // of the zip
    QByteArray sha256; // of the zip, hex
    QJsonArray participants; // pseudonyms in scope at the snapshot
};

struct ReleaseJobContext
{
    QString path; // the zip to write
    qint64 byteLimit = 0; // the researcher's quota left; 0: none
    QJsonArray previousParticipants; // of the researcher's previous release
    const std::atomic<bool> *cancelled = nullptr;
    std::function<void(qint64 rows)> estimate; // the rows it will hold, counted in the snapshot before the first
    std::function<void(qint64 rows)> progress; // rows so far
    std::function<void(const QString &dataset)> beforeDataset; // tests: called before each dataset is read
};

// Writes the release's zip from one snapshot on the calling thread's
// connection: one file per dataset (byte for byte the streamed export of
// the same filters), data_dictionary.csv, README.txt and manifest.json.
// Error code `cancelled` when `cancelled` was set, `quota-exceeded` past
// the byte limit.
Result<ReleaseOutcome> writeRelease(const db::Database &database, const ReleaseRequest &request,
                                    const ReleaseJobContext &context);

} // namespace openaps::api
