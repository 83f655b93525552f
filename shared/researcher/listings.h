#pragma once

#include "core/result.h"

#include <QDateTime>
#include <QList>
#include <QMap>
#include <QString>

#include <optional>

namespace openaps::researcher {

// A participant in the researcher's scope (`GET /api/v1/participants`), by
// pseudonym, with the whole-history summary when the server sent one.
struct Participant
{
    QString userId; // the pseudonym, as text (the export's user_id)
    QString consent; // openaps | nsf | both
    QDateTime firstData, lastData; // UTC
    int daysWithData = 0;
    bool sufficient = false;
};

// A participant's `participant_summary` row of period `all` (the export's
// NDJSON); a figure is absent when the row holds null.
struct ParticipantSummary
{
    QString userId;
    QMap<QString, double> figures; // readings, mean_mgdl, in_range_percent, ...
};

Result<QList<Participant>> parseParticipants(const QByteArray &body);
// One NDJSON line of participant_summary: the summary when it is the
// whole-history row (period "all"), nullopt for the monthly rows.
std::optional<ParticipantSummary> parseSummaryLine(const QByteArray &line);

// `GET /api/v1/admin/usage`: one researcher's use of the API in a window.
struct UsageRow
{
    qint64 researcherId = 0;
    QString name, email, institution, status;
    qint64 downloads = 0, complete = 0, rows = 0, bytes = 0;
    QDateTime lastDownloadAt, lastActivity;
};
Result<QList<UsageRow>> parseUsage(const QByteArray &body);

// `GET /api/v1/admin/downloads`: one page of the download log.
struct DownloadLogRow
{
    qint64 id = 0, researcherId = 0;
    QString dataset, filters, format, outcome;
    qint64 rows = 0, bytes = 0;
    QDateTime startedAt, finishedAt;
};
struct DownloadLogPage
{
    QList<DownloadLogRow> rows;
    qint64 total = 0, limit = 0, offset = 0;
};
Result<DownloadLogPage> parseDownloadLog(const QByteArray &body);

// What to ask the download log for.
struct DownloadLogQuery
{
    int limit = 100;
    qint64 offset = 0;
    qint64 researcherId = 0; // 0: everyone
    QString dataset; // empty: all
    QDateTime from, to; // started in [from, to); invalid: open
};

} // namespace openaps::researcher
