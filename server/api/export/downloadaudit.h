#pragma once

#include "core/result.h"
#include "db/database.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>

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

// The newest `limit` downloads as the admin API lists them:
// [{"id","researcher_id","dataset","filters","format","rows","bytes","started_at","finished_at","outcome"}].
Result<QJsonArray> recentDownloads(const db::Database &database, int limit);

} // namespace openaps::api
