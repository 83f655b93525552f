#pragma once

#include "core/httpcall.h"
#include "core/result.h"
#include "core/step.h"
#include "researcher/releaseverify.h"

#include <QFile>
#include <QPointer>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>

namespace openaps::researcher {

class ApiClient;

struct ReleaseDownloadOptions
{
    int attempts = 8; // requests per start(), the first included
    std::chrono::milliseconds firstRetryDelay { 1000 }; // doubles after each cut, at most 60 s
    std::chrono::milliseconds idleTimeout { 120000 }; // silence, not total time
};

// The zip of a ready release (`GET /api/v1/releases/{id}/file`) downloaded
// into a folder so that a cut connection costs nothing: the bytes go to
// `release-<id>.zip.part` as they arrive, beside `release-<id>.zip.etag`
// (the file's ETag); a later request, of this job or of a new one after the
// program restarted, asks for the rest (`Range: bytes=<size>-`) with
// `If-Range: <ETag>`. A 206 continues the part; a 200 means the file changed
// (a stale ETag) and the part starts over. Once the file is whole it is
// verified on a worker thread (releaseverify.h: the zip's SHA-256 against
// the server's Repr-Digest, every file inside against manifest.json) and
// only then renamed to `release-<id>.zip`. A damaged file is removed with
// the error "corrupt"; a download that stays cut after all attempts ends
// with "interrupted" and keeps its part.
class ReleaseDownload final : public Step
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ReleaseDownload)

public:
    ReleaseDownload(ApiClient *api, qint64 releaseId, QString folder, ReleaseDownloadOptions options = {},
                    QObject *parent = nullptr);
    ~ReleaseDownload() override;

    void start();
    void cancel(); // finishes with "cancelled"; the part stays for the next try

    static QString fileName(qint64 releaseId); // release-<id>.zip
    QString filePath() const; // exists only after success
    QString partPath() const;

    qint64 bytes() const { return m_offset; } // on disk so far
    qint64 total() const { return m_total; } // -1 until the server said
    bool isVerifying() const { return m_verifying; }
    // The byte each request asked to start from (0: the whole file).
    const QList<qint64> &requestOffsets() const { return m_requestOffsets; }
    // How often a stale ETag made the part start over.
    int restarts() const { return m_restarts; }
    const std::optional<Error> &error() const { return m_error; }
    const ReleaseContents &contents() const { return m_contents; } // after success

signals:
    void progress();

private:
    void request();
    bool onHead(int status, const QList<QPair<QByteArray, QByteArray>> &headers);
    bool write(const QByteArray &chunk);
    void onDone(Result<HttpResponse> result);
    void retryOrFail(const Error &error);
    void restartFromZero();
    void verify(const QByteArray &sha256);
    void onVerified(Result<ReleaseContents> contents);
    void fail(Error error);
    void finish();

    QPointer<ApiClient> m_api;
    qint64 m_id;
    QString m_folder;
    ReleaseDownloadOptions m_options;
    QFile m_part;
    QPointer<HttpCall> m_call;
    QByteArray m_etag; // of the part on disk
    QByteArray m_sha256; // what the server's Repr-Digest said, hex
    std::optional<Error> m_headError;
    qint64 m_offset = 0;
    qint64 m_total = -1;
    int m_attempt = 0;
    int m_restarts = 0;
    QList<qint64> m_requestOffsets;
    // Shared with a running check: it stops once `cancelled`, and answers
    // only while `alive` (under the mutex, so this object cannot go meanwhile).
    struct Check
    {
        std::atomic<bool> cancelled { false };
        std::mutex mutex;
        bool alive = true;
    };
    std::shared_ptr<Check> m_check = std::make_shared<Check>();
    bool m_started = false;
    bool m_verifying = false;
    std::optional<Error> m_error;
    ReleaseContents m_contents;
};

} // namespace openaps::researcher
