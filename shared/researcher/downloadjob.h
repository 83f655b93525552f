#pragma once

#include "core/httpcall.h"
#include "core/result.h"
#include "core/step.h"
#include "researcher/apitypes.h"

#include <QPointer>

#include <chrono>
#include <memory>
#include <optional>

class QSaveFile;

namespace openaps::csv {
class ChunkedReader;
}
namespace openaps::gzip {
class Inflater;
}

namespace openaps::researcher {

class ApiClient;

// One export download streamed to disk as it arrives (HttpCall with a sink).
// The body goes into a QSaveFile, renamed to its final name only after the
// final chunk arrived: a cancelled, failed or cut-off download (the API
// aborts the connection when an export fails midway; completeness is the
// final zero-length chunk) never leaves a file with the final name, and an
// older complete file of that name stays as it was.
//
// Progress compares the rows received (newlines; a gzip body's counted as it
// is inflated alongside, the file keeps the bytes as sent) with the row count
// the API's /count answers just before the download starts; the sink sees no
// headers, so X-Export-Rows-Estimate is only checked once the body is complete.
class DownloadJob final : public Step
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DownloadJob)

public:
    DownloadJob(ApiClient *api, ExportFilter filter, QString folder, QObject *parent = nullptr);
    ~DownloadJob() override;

    void start();
    void cancel(); // finishes with error "cancelled"
    void setIdleTimeout(std::chrono::milliseconds timeout) { m_idleTimeout = timeout; }

    qint64 bytes() const { return m_bytes; }
    // Data rows so far: newlines, less the CSV header; -1 if a gzip body could not be inflated.
    qint64 rows() const;
    qint64 rowsEstimate() const { return m_estimate; } // -1 until known
    // 0..99 from rows against the estimate while running, 100 once complete; -1 when unknown.
    int percent() const;
    const std::optional<Error> &error() const { return m_error; }
    QString filePath() const { return m_path; } // exists only after success
    const ExportFilter &filter() const { return m_filter; }

signals:
    void progress();

private:
    void startBody();
    bool write(const QByteArray &chunk);
    bool isCsv() const { return m_filter.format != QLatin1String("ndjson"); }
    void countRows(const QByteArray &piece);
    void countInflated(const QByteArray &chunk);
    void onDone(Result<HttpResponse> result);
    void fail(Error error);
    void finish();

    QPointer<ApiClient> m_api;
    ExportFilter m_filter;
    QString m_folder;
    QString m_path;
    std::unique_ptr<QSaveFile> m_file;
    std::unique_ptr<csv::ChunkedReader> m_rowReader;
    std::unique_ptr<gzip::Inflater> m_inflater; // a gzip body's rows; null once it was not gzip after all
    QPointer<HttpCall> m_call;
    std::chrono::milliseconds m_idleTimeout { 120000 };
    qint64 m_bytes = 0;
    qint64 m_records = 0; // the body's, as the one CSV reader counts them (or NDJSON lines)
    qint64 m_estimate = -1;
    bool m_started = false;
    std::optional<Error> m_error;
};

} // namespace openaps::researcher
