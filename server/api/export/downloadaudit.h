#pragma once

#include "core/result.h"
#include "db/database.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>

#include <optional>

namespace openaps::api {

// One researcher download (table download_audit, 0041). No participant
// data: filters hold times and a participant COUNT, never member ids.
struct DownloadRecord
{
    qint64 researcherId = 0;
    QString dataset;
    QJsonObject filters;
    QString format; // csv | ndjson
    qint64 rows = 0;
    qint64 bytes = 0;
    QDateTime startedAt;
    QDateTime finishedAt;
    QString outcome; // complete | aborted | failed | revoked
};

Status recordDownload(const db::Database &database, const DownloadRecord &record);

// Which downloads the admin list shows: a page of the newest first, of one
// researcher, one dataset, started in [from, to).
struct DownloadFilter
{
    int limit = 100;
    int offset = 0;
    std::optional<qint64> researcherId;
    QString dataset; // empty: every dataset
    std::optional<QDateTime> from;
    std::optional<QDateTime> to;
};

// A page of downloads as the admin API lists them, and how many match:
// {"downloads":[{"id","researcher_id","dataset","filters","format","rows","bytes","started_at","finished_at",
//  "outcome"}],"total","limit","offset"}.
Result<QJsonObject> listDownloads(const db::Database &database, const DownloadFilter &filter);

// Per researcher who has had access (approved or deactivated), what they
// downloaded that started in [from, to):
// [{"researcher_id","name","email","institution","status","downloads","complete","rows","bytes",
//   "last_download_at","last_activity"}], most bytes first. last_activity: the later of their
// last download and the last use of one of their sign-ins, if in the window (else null).
Result<QJsonArray> researcherUsage(const db::Database &database, const std::optional<QDateTime> &from,
                                   const std::optional<QDateTime> &to);

} // namespace openaps::api
