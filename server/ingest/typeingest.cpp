#include "ingest/typeingest.h"

#include "ingest/errors.h"
#include "ingest/filelayout.h"
#include "ingest/ingestlog.h"
#include "ingest/oldestmonth.h"
#include "records/datatype.h"
#include "records/filenames.h"

#include <QSet>

#include <algorithm>

namespace openaps::ingest {

namespace {

// Records whose time text carries a local offset sort up to 14 hours away
// from their instant in Nightscout's string comparison; keep their digest
// entries a day longer than the overlap so a re-read still recognises them.
constexpr qint64 kDigestSlackMs = 24LL * 3600 * 1000;

} // namespace

TypeIngest::TypeIngest(Inputs inputs, TypeCursor cursor, QObject *parent)
    : Step(parent),
      m_in(std::move(inputs)),
      m_cursor(std::move(cursor))
{ }

void TypeIngest::start()
{
    QList<QDate> months;
    QSet<QString> seen;
    QSet<QString> repeated;
    for (const oh::MemberFile &file : std::as_const(*m_in.files)) {
        if (const auto bound = records::legacyUpperBound(file.basename, m_in.memberId, m_in.type))
            m_floorMs = std::max(m_floorMs, *bound);
        if (const auto month = records::segmentMonth(file.basename, m_in.memberId, m_in.type)) {
            months.append(*month);
            if (seen.contains(file.basename))
                repeated.insert(file.basename);
            seen.insert(file.basename);
        }
    }
    m_duplicateNames = repeated.values();
    std::sort(m_duplicateNames.begin(), m_duplicateNames.end());

    if (m_cursor.exists && m_cursor.recordsStored > 0 && months.isEmpty()) {
        // We wrote segments and none is left: the participant deleted them.
        qCInfo(lcIngest, "participant %lld: no %s segments left in Open Humans; starting over", m_in.participantId,
               qPrintable(records::dataTypeName(m_in.type)));
        m_cursor = TypeCursor();
    }
    if (m_cursor.exists)
        m_digest = RecentDigest::decode(m_cursor.recent);
    if (!months.isEmpty())
        m_latestSegment = *std::max_element(months.cbegin(), months.cend());
    foldDuplicates();
}

void TypeIngest::foldDuplicates()
{
    if (m_duplicateNames.isEmpty()) {
        planStart();
        return;
    }
    // An earlier run replaced a segment but could not delete the old version.
    const QString name = m_duplicateNames.takeFirst();
    SegmentUpload::Inputs inputs { m_in.session, m_in.files, name, {} };
    if (const auto month = records::segmentMonth(name, m_in.memberId, m_in.type))
        inputs.metadata = metadataFor(*month);
    auto *upload = new SegmentUpload(std::move(inputs), {}, {}, this);
    connect(upload, &SegmentUpload::finished, this, [this, upload] {
        upload->deleteLater();
        if (upload->error()) {
            fail(*upload->error());
            return;
        }
        m_stats.ohBytesDown += upload->stats().bytesDown;
        m_stats.ohBytesUp += upload->stats().bytesUp;
        foldDuplicates();
    });
    upload->start();
}

void TypeIngest::planStart()
{
    if (m_in.type == records::DataType::Profile) {
        // Nightscout's profile editor changes documents in place, long after
        // their startDate, and a site holds few of them: read them all every
        // time, in one window; the digest keeps unchanged ones from uploading.
        startWindows(m_floorMs, m_in.upToMs);
        return;
    }
    if (m_cursor.exists) {
        startWindows(std::max(m_floorMs, m_cursor.cursorMs - m_in.overlapMs), 0);
        return;
    }
    if (m_latestSegment) {
        // Our own state is gone but the files are there: redo the latest
        // month; merging by id makes the re-read harmless.
        startWindows(std::max(m_floorMs, records::monthStartMs(*m_latestSegment) - 1), 0);
        return;
    }
    // A first pull: find where the data begins instead of walking every month since 1970.
    auto *search = new OldestMonthSearch(m_in.nightscout, m_in.gate, collectionOf(m_in.type), m_floorMs, m_in.upToMs,
                                         this);
    connect(search, &OldestMonthSearch::finished, this, [this, search] {
        search->deleteLater();
        const auto &result = search->result();
        if (!result) {
            fail(errors::fromNightscout(result.error()));
            return;
        }
        if (!result->has_value()) {
            // Nothing stored yet on the site: remember that up to now is done.
            m_windowEnd = m_in.upToMs;
            checkpoint();
            return;
        }
        startWindows(m_floorMs, std::min(records::monthStartMs(result->value().addMonths(1)), m_in.upToMs));
    });
    search->start();
}

void TypeIngest::startWindows(qint64 afterMs, qint64 firstEndMs)
{
    m_windowAfter = afterMs;
    m_nextEnd = firstEndMs;
    nextWindow();
}

void TypeIngest::nextWindow()
{
    if (m_windowAfter >= m_in.upToMs) {
        finish();
        return;
    }
    qint64 end = m_nextEnd;
    if (end <= m_windowAfter)
        end = std::min(records::monthStartMs(records::monthOf(m_windowAfter + 1).addMonths(1)), m_in.upToMs);
    m_nextEnd = 0;
    m_windowEnd = end;
    ++m_stats.windows;
    WindowReader::Inputs inputs { m_in.nightscout, m_in.gate, m_in.type, &m_digest, m_in.scrubber };
    m_reader = new WindowReader(inputs, m_windowAfter, m_windowEnd, this);
    connect(m_reader, &WindowReader::finished, this, &TypeIngest::onWindowRead);
    m_reader->start();
}

void TypeIngest::onWindowRead()
{
    if (m_reader->error()) {
        fail(*m_reader->error());
        return;
    }
    const WindowStats &s = m_reader->stats();
    m_stats.read += s.read;
    m_stats.nsJsonBytes += s.jsonBytes;
    m_pendingMonths.clear();
    for (const auto &entry : m_reader->batches())
        m_pendingMonths.append(entry.first);
    uploadNextBatch();
}

void TypeIngest::uploadNextBatch()
{
    if (m_pendingMonths.isEmpty()) {
        checkpoint();
        return;
    }
    const QDate month = m_pendingMonths.takeFirst();
    SegmentBatch &batch = m_reader->batches().at(month);
    SegmentUpload::Inputs inputs { m_in.session, m_in.files, records::segmentFileName(m_in.memberId, m_in.type, month),
                                   metadataFor(month) };
    auto *upload = new SegmentUpload(std::move(inputs), batch.ids(), batch.takeGzip(), this);
    connect(upload, &SegmentUpload::finished, this, [this, upload] {
        upload->deleteLater();
        if (upload->error()) {
            fail(*upload->error());
            return;
        }
        const SegmentUploadStats &s = upload->stats();
        m_stats.ohBytesDown += s.bytesDown;
        m_stats.ohBytesUp += s.bytesUp;
        ++m_stats.segmentsWritten;
        uploadNextBatch();
    });
    upload->start();
}

void TypeIngest::checkpoint()
{
    // Every segment of the window is confirmed by Open Humans: move on.
    qint64 added = 0;
    if (m_reader) {
        const auto &hashes = m_reader->addedHashes();
        for (const auto &entry : hashes)
            m_digest.insert(entry.first, entry.second);
        added = m_reader->stats().added;
        m_reader->deleteLater();
        m_reader = nullptr;
    }
    m_cursor.exists = true;
    m_cursor.cursorMs = std::max(m_cursor.cursorMs, m_windowEnd);
    if (m_in.type != records::DataType::Profile)
        m_digest.pruneBefore(m_cursor.cursorMs - m_in.overlapMs - kDigestSlackMs);
    m_cursor.recent = m_digest.encode();
    m_cursor.recordsStored += added;
    if (auto saved = m_in.store->saveCursor(m_in.participantId, m_in.type, m_cursor, m_in.clock()); !saved) {
        fail(errors::internal(saved.error()));
        return;
    }
    m_stats.added += added;
    m_windowAfter = m_windowEnd;
    nextWindow();
}

oh::FileMetadata TypeIngest::metadataFor(const QDate &month) const
{
    const QString type = records::dataTypeName(m_in.type);
    const QString stamp = month.toString(QStringLiteral("yyyy-MM"));
    return { { QStringLiteral("OpenAPS"), QStringLiteral("Nightscout"), type, stamp, QStringLiteral("ndjson") },
             QStringLiteral("Nightscout %1 of %2 (UTC), gzip-compressed newline-delimited JSON, "
                            "one record per line, for the OpenAPS Data Commons")
                     .arg(type, stamp) };
}

void TypeIngest::fail(const Error &error)
{
    m_error = error;
    finish();
}

void TypeIngest::finish()
{
    finishOnce();
}

} // namespace openaps::ingest
