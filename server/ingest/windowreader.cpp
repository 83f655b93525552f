#include "ingest/windowreader.h"

#include "ingest/errors.h"
#include "ingest/filelayout.h"
#include "nightscout/client.h"
#include "nightscout/recordreader.h"
#include "records/filenames.h"
#include "records/ndjsonreader.h"

#include <QJsonDocument>

namespace openaps::ingest {

namespace {

QDateTime utc(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
}

} // namespace

WindowReader::WindowReader(Inputs inputs, qint64 afterMs, qint64 upToMs, QObject *parent)
    : Step(parent),
      m_in(inputs),
      m_afterMs(afterMs),
      m_upToMs(upToMs)
{ }

void WindowReader::start()
{
    m_reader = m_in.client->read(collectionOf(m_in.type), utc(m_afterMs), utc(m_upToMs));
    connect(m_reader, &ns::RecordReader::pageReady, this, &WindowReader::onPage);
    connect(m_reader, &ns::RecordReader::finished, this, &WindowReader::onReaderFinished);
    m_in.gate->acquire(m_in.client->site().host(), this, [this](HostGate::Ticket ticket) {
        m_ticket = std::move(ticket);
        if (m_reader)
            m_reader->start();
    });
}

void WindowReader::onPage(const ns::Page &page)
{
    m_ticket.reset();
    for (const QJsonObject &record : page.records)
        take(record);
    m_in.gate->acquire(m_in.client->site().host(), this, [this](HostGate::Ticket ticket) {
        m_ticket = std::move(ticket);
        if (m_reader)
            m_reader->fetchNext();
    });
}

void WindowReader::take(const QJsonObject &record)
{
    ++m_stats.read;
    const QByteArray raw = QJsonDocument(record).toJson(QJsonDocument::Compact);
    m_stats.jsonBytes += raw.size();
    const quint64 hash = contentHash(raw);
    if (m_in.digest && m_in.digest->contains(hash)) {
        ++m_stats.known;
        return;
    }
    const qint64 time = recordTimeMs(m_in.type, record);
    const QJsonObject prepared = m_in.scrubber->prepare(m_in.type, record);
    QByteArray line = QJsonDocument(prepared).toJson(QJsonDocument::Compact);
    records::stripNul(line);
    const QDate month = records::monthOf(time);
    auto it = m_batches.try_emplace(month, month).first;
    if (it->second.add(recordId(record), line)) {
        ++m_stats.added;
        m_addedHashes.append({ hash, time });
    }
}

void WindowReader::onReaderFinished()
{
    m_ticket.reset();
    if (m_reader && !m_reader->ok())
        m_error = errors::fromNightscout(m_reader->error());
    finish();
}

void WindowReader::finish()
{
    finishOnce();
}

} // namespace openaps::ingest
