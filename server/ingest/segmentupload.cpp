#include "ingest/segmentupload.h"

#include "ingest/errors.h"
#include "ingest/ingestlog.h"
#include "ingest/segment.h"
#include "jobs/ohaccess.h"

namespace openaps::ingest {

namespace {
// A month of one type's records, compressed, stays far below this.
constexpr qint64 kMaxSegmentBytes = 1024LL * 1024 * 1024;
} // namespace

SegmentUpload::SegmentUpload(Inputs inputs, QSet<QByteArray> newIds, QByteArray newGzip, QObject *parent)
    : Step(parent),
      m_in(std::move(inputs)),
      m_newIds(std::move(newIds)),
      m_newGzip(std::move(newGzip))
{ }

void SegmentUpload::start()
{
    for (const oh::MemberFile &file : std::as_const(*m_in.files)) {
        if (file.basename == m_in.basename)
            m_old.append(file);
    }
    if (m_old.isEmpty()) {
        if (m_newIds.isEmpty()) {
            finish();
            return;
        }
        upload(m_newGzip, m_newIds.size());
        return;
    }
    if (m_newIds.isEmpty() && m_old.size() < 2) {
        finish(); // nothing new and nothing to fold together
        return;
    }
    m_toDownload = m_old;
    downloadNext();
}

void SegmentUpload::downloadNext()
{
    if (m_toDownload.isEmpty()) {
        MergedSegment merged = mergeSegment(m_oldBodies, m_newIds, m_newGzip);
        m_oldBodies.clear();
        m_newGzip.clear();
        m_stats.replaced = merged.replaced;
        for (const QString &problem : std::as_const(merged.problems))
            qCWarning(lcIngest, "segment merge: %s", qPrintable(problem));
        upload(std::move(merged.gzip), merged.records);
        return;
    }
    const oh::MemberFile file = m_toDownload.takeFirst();
    m_in.session->call<oh::DownloadResult>(
            [this, file](const oh::Client &client, const QString &token) {
                return client.downloadAll(token, file, kMaxSegmentBytes, this);
            },
            [this, file](Result<oh::DownloadResult> result) {
                if (!result) {
                    if (result.error().code == QLatin1String("not-found")) {
                        // Gone since the listing: nothing of it to keep or to delete.
                        m_old.removeIf([&](const oh::MemberFile &f) { return f.id == file.id; });
                        downloadNext();
                        return;
                    }
                    fail(result.error());
                    return;
                }
                m_stats.bytesDown += result->body.size();
                m_oldBodies.append(result->body);
                downloadNext();
            });
}

void SegmentUpload::upload(QByteArray data, qint64 records)
{
    m_stats.records = records;
    m_stats.bytesUp = data.size();
    oh::UploadRequest request { m_in.basename, m_in.metadata, std::move(data) };
    m_in.session->call<oh::UploadResult>(
            [this, request](const oh::Client &client, const QString &token) {
                return client.upload(token, request, this);
            },
            [this](Result<oh::UploadResult> result) {
                if (!result) {
                    fail(result.error());
                    return;
                }
                oh::MemberFile stored;
                stored.id = result->fileId;
                stored.basename = m_in.basename;
                stored.created = QDateTime::currentDateTimeUtc();
                stored.size = result->size;
                stored.metadata = m_in.metadata;
                m_in.files->append(stored);
                m_toDelete = m_old;
                deleteNext();
            });
}

void SegmentUpload::deleteNext()
{
    if (m_toDelete.isEmpty()) {
        finish();
        return;
    }
    const oh::MemberFile file = m_toDelete.takeFirst();
    m_in.session->call<void>(
            [this, file](const oh::Client &client, const QString &token) {
                return client.deleteFiles(token, oh::DeleteTarget::fileId(file.id), this);
            },
            [this, file](const Status &deleted) {
                if (deleted) {
                    m_in.files->removeIf([&](const oh::MemberFile &f) { return f.id == file.id; });
                } else {
                    // The new version holds everything; the next merge folds this one in.
                    ++m_stats.leftBehind;
                    qCWarning(lcIngest,
                              "an old segment version could not be deleted (%s); it will be "
                              "merged next time",
                              qPrintable(deleted.error().code));
                }
                deleteNext();
            });
}

void SegmentUpload::fail(const Error &openHumansError)
{
    m_error = errors::fromOpenHumans(openHumansError);
    finish();
}

void SegmentUpload::finish()
{
    finishOnce();
}

} // namespace openaps::ingest
