#include "cuttingproxy.h"

#include <QTcpSocket>

#include <memory>

namespace openaps::test {

// One client connection and its connection to the server, with where the
// current answer stands: its head being read, or how much body is left.
struct CuttingProxy::Pipe
{
    QTcpSocket *client = nullptr;
    QTcpSocket *upstream = nullptr;
    QByteArray head;
    qint64 bodyLeft = 0;
    bool zip = false;
    bool cut = false;
};

CuttingProxy::CuttingProxy(quint16 targetPort, QObject *parent) : QObject(parent), m_target(targetPort)
{
    connect(&m_server, &QTcpServer::newConnection, this, &CuttingProxy::onConnection);
}

bool CuttingProxy::listen()
{
    return m_server.listen(QHostAddress::LocalHost, 0);
}

QList<QByteArray> CuttingProxy::requestHeads() const
{
    QList<QByteArray> heads;
    for (const QByteArray &part : m_sent.split('\n')) {
        if (part.startsWith("GET ") || part.startsWith("POST ") || part.startsWith("DELETE "))
            heads << part.trimmed();
        else if (!heads.isEmpty() && !part.trimmed().isEmpty() && part.contains(':'))
            heads.last() += '\n' + part.trimmed();
    }
    return heads;
}

void CuttingProxy::onConnection()
{
    while (QTcpSocket *client = m_server.nextPendingConnection()) {
        auto pipe = std::make_shared<Pipe>();
        pipe->client = client;
        pipe->upstream = new QTcpSocket(client);
        pipe->upstream->connectToHost(QHostAddress::LocalHost, m_target);
        connect(client, &QTcpSocket::readyRead, this, [this, pipe] {
            const QByteArray data = pipe->client->readAll();
            m_sent += data;
            pipe->upstream->write(data); // buffered until connected
        });
        connect(pipe->upstream, &QTcpSocket::readyRead, this, [this, pipe] {
            if (!pipe->cut)
                forwardAnswer(*pipe, pipe->upstream->readAll());
        });
        connect(client, &QTcpSocket::disconnected, this, [pipe] {
            pipe->upstream->abort();
            pipe->client->deleteLater();
        });
        connect(pipe->upstream, &QTcpSocket::disconnected, this, [pipe] {
            if (!pipe->cut)
                pipe->client->disconnectFromHost();
        });
    }
}

void CuttingProxy::forwardAnswer(Pipe &pipe, const QByteArray &data)
{
    qsizetype at = 0;
    while (at < data.size() && !pipe.cut) {
        if (pipe.bodyLeft == 0) {
            // A head: up to the blank line, then its Content-Length.
            const qsizetype before = pipe.head.size();
            pipe.head += data.mid(at);
            const qsizetype end = pipe.head.indexOf("\r\n\r\n");
            if (end < 0) {
                pipe.client->write(data.mid(at));
                return;
            }
            const qsizetype headBytes = end + 4 - before;
            pipe.client->write(data.mid(at, headBytes));
            at += headBytes;
            const QByteArray head = pipe.head.left(end).toLower();
            pipe.head.clear();
            pipe.zip = head.contains("content-type: application/zip");
            const qsizetype length = head.indexOf("content-length:");
            pipe.bodyLeft = length < 0
                    ? 0
                    : head.mid(length + 15, head.indexOf('\r', length) - length - 15).trimmed().toLongLong();
            continue;
        }
        qint64 n = qMin<qint64>(pipe.bodyLeft, data.size() - at);
        if (pipe.zip && !m_budgets.isEmpty() && m_passed + n >= m_budgets.first()) {
            n = m_budgets.takeFirst() - m_passed;
            pipe.client->write(data.mid(at, n));
            m_passed = 0;
            ++m_cuts;
            pipe.cut = true;
            pipe.upstream->abort();
            pipe.client->disconnectFromHost(); // after what was written went out
            return;
        }
        if (pipe.zip && !m_budgets.isEmpty())
            m_passed += n;
        pipe.client->write(data.mid(at, n));
        at += n;
        pipe.bodyLeft -= n;
    }
}

} // namespace openaps::test
