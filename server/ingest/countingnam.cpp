#include "ingest/countingnam.h"

#include <QMutexLocker>
#include <QNetworkReply>

#include <memory>

namespace openaps::ingest {

CountingNetworkAccessManager::CountingNetworkAccessManager(QObject *parent) : QNetworkAccessManager(parent) { }

QNetworkReply *CountingNetworkAccessManager::createRequest(Operation op, const QNetworkRequest &request,
                                                           QIODevice *outgoingData)
{
    const QString host = request.url().host();
    const qint64 sent = outgoingData && !outgoingData->isSequential() ? outgoingData->size() : 0;
    QNetworkReply *reply = QNetworkAccessManager::createRequest(op, request, outgoingData);
    auto received = std::make_shared<qint64>(0);
    // Progress is cumulative per reply; a redirect starts it again.
    connect(reply, &QNetworkReply::downloadProgress, this,
            [received](qint64 bytes, qint64) { *received = std::max(*received, bytes); });
    connect(reply, &QNetworkReply::redirected, this, [this, received, host] {
        QMutexLocker lock(&m_mutex);
        m_bytes[host].received += *received;
        *received = 0;
    });
    connect(reply, &QNetworkReply::finished, this, [this, host, sent, received] {
        QMutexLocker lock(&m_mutex);
        Bytes &b = m_bytes[host];
        b.sent += sent;
        b.received += *received;
        *received = 0;
    });
    return reply;
}

QHash<QString, CountingNetworkAccessManager::Bytes> CountingNetworkAccessManager::byHost() const
{
    QMutexLocker lock(&m_mutex);
    return m_bytes;
}

CountingNetworkAccessManager::Bytes CountingNetworkAccessManager::total() const
{
    QMutexLocker lock(&m_mutex);
    Bytes sum;
    for (const Bytes &b : m_bytes)
        sum += b;
    return sum;
}

void CountingNetworkAccessManager::reset()
{
    QMutexLocker lock(&m_mutex);
    m_bytes.clear();
}

} // namespace openaps::ingest
