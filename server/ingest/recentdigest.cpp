#include "ingest/recentdigest.h"

#include <QtEndian>

namespace openaps::ingest {

namespace {
constexpr int kEntrySize = 16; // 8 bytes hash, 8 bytes seconds, big-endian
}

RecentDigest RecentDigest::decode(const QByteArray &stored)
{
    RecentDigest digest;
    const auto decoded = QByteArray::fromBase64Encoding(stored);
    if (!decoded || decoded.decoded.size() % kEntrySize != 0)
        return digest;
    const char *data = decoded.decoded.constData();
    for (qsizetype at = 0; at < decoded.decoded.size(); at += kEntrySize)
        digest.m_entries.insert(qFromBigEndian<quint64>(data + at), qFromBigEndian<qint64>(data + at + 8));
    return digest;
}

QByteArray RecentDigest::encode() const
{
    QByteArray raw(m_entries.size() * kEntrySize, Qt::Uninitialized);
    char *out = raw.data();
    for (auto it = m_entries.cbegin(); it != m_entries.cend(); ++it, out += kEntrySize) {
        qToBigEndian<quint64>(it.key(), out);
        qToBigEndian<qint64>(it.value(), out + 8);
    }
    return raw.toBase64();
}

void RecentDigest::insert(quint64 hash, qint64 timeMs)
{
    m_entries.insert(hash, timeMs / 1000);
}

void RecentDigest::pruneBefore(qint64 ms)
{
    const qint64 seconds = ms / 1000;
    m_entries.removeIf([seconds](const auto &entry) { return entry.value() < seconds; });
}

} // namespace openaps::ingest
