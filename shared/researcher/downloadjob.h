#pragma once

#include "core/result.h"
#include "researcher/apitypes.h"

#include <QNetworkRequest>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <chrono>
#include <memory>
#include <optional>

class QNetworkAccessManager;
class QNetworkReply;
class QSaveFile;

namespace openaps::researcher {

// One export download streamed to disk as it arrives. The body goes into a
// QSaveFile, which is renamed to its final name only after the last chunk
// arrived and the file was flushed: a cancelled, failed or cut-off download
// (the API aborts the connection when an export fails midway; completeness
// is the final zero-length chunk) never leaves a file with the final name,
// and an older complete file of that name stays as it was.
//
// HttpCall keeps whole answers in memory, so this job reads the reply
// itself; it is the client's one streaming path.
class DownloadJob final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DownloadJob)

public:
    DownloadJob(QNetworkAccessManager *nam, const QNetworkRequest &request, ExportFilter filter,
                QString folder, QObject *parent = nullptr);
    ~DownloadJob() override;

    void start();
    void cancel(); // finishes with error "cancelled"
    void setIdleTimeout(std::chrono::milliseconds timeout) { m_idleTimeout = timeout; }

    qint64 bytes() const { return m_bytes; }
    // Data rows so far: newlines, less the CSV header; -1 for gzip bodies.
    qint64 rows() const;
    // X-Export-Rows-Estimate, or -1.
    qint64 rowsEstimate() const { return m_estimate; }
    // 0..100 from rows against the estimate; 100 only once complete; -1 when unknown.
    int percent() const;
    bool isFinished() const { return m_finished; }
    const std::optional<Error> &error() const { return m_error; }
    QString filePath() const { return m_path; } // the final path (exists only after success)
    const ExportFilter &filter() const { return m_filter; }

signals:
    void progress();
    void finished();

private:
    void onMetaData();
    void onReadyRead();
    void onFinished();
    void fail(Error error);
    void finish();

    QNetworkAccessManager *m_nam;
    QNetworkRequest m_request;
    ExportFilter m_filter;
    QString m_folder;
    QString m_path;
    QPointer<QNetworkReply> m_reply;
    std::unique_ptr<QSaveFile> m_file;
    QTimer m_idle;
    std::chrono::milliseconds m_idleTimeout { 120000 };
    int m_status = 0;
    QByteArray m_errorBody;
    qint64 m_bytes = 0;
    qint64 m_newlines = 0;
    qint64 m_estimate = -1;
    bool m_compressed = false;
    bool m_finished = false;
    std::optional<Error> m_error;
};

} // namespace openaps::researcher
