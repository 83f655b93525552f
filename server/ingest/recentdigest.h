#pragma once

#include <QByteArray>
#include <QHash>

namespace openaps::ingest {

// Content hashes of the records already stored for the recent past of one
// participant and type. Every cycle reads the overlap window again to catch
// late uploads; records found here are stored unchanged and are skipped, so
// a cycle without new data uploads nothing. Entries older than the window
// are pruned, so the digest stays at about one window of records (a few KB).
class RecentDigest
{
public:
    // The stored form (base64); an unreadable value gives an empty digest,
    // which only costs a re-upload of the window, never a lost record.
    static RecentDigest decode(const QByteArray &stored);
    QByteArray encode() const;

    bool contains(quint64 hash) const { return m_entries.contains(hash); }
    void insert(quint64 hash, qint64 timeMs);
    // Forgets records whose time is before `ms`.
    void pruneBefore(qint64 ms);
    int size() const { return int(m_entries.size()); }

private:
    QHash<quint64, qint64> m_entries; // content hash → record time (epoch seconds)
};

} // namespace openaps::ingest
