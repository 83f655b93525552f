#pragma once

// A TCP proxy on loopback in front of a real HTTP server that cuts the
// connection in the middle of a zip body (Content-Type application/zip):
// each armed cut lets a number of body bytes through, then closes the
// connection to the client as a dropped network would. Bytes of other
// answers (JSON) are not counted. It keeps what clients sent, to check the
// Range headers of resumed downloads.

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QTcpServer>

class QTcpSocket;

namespace openaps::test {

class CuttingProxy final : public QObject
{
    Q_OBJECT

public:
    explicit CuttingProxy(quint16 targetPort, QObject *parent = nullptr);

    bool listen();
    quint16 port() const { return m_server.serverPort(); }
    // The next zip bodies are cut after these many bytes each (counted
    // over the answers, from the end of the previous cut).
    void cutAfter(const QList<qint64> &bodyBytes)
    {
        m_budgets = bodyBytes;
        m_passed = 0;
    }
    int cuts() const { return m_cuts; }
    // Every request head the clients sent, in order.
    QList<QByteArray> requestHeads() const;

private:
    struct Pipe;
    void onConnection();
    void forwardAnswer(Pipe &pipe, const QByteArray &data);

    QTcpServer m_server;
    quint16 m_target;
    QList<qint64> m_budgets;
    qint64 m_passed = 0; // zip body bytes since the last cut
    int m_cuts = 0;
    QByteArray m_sent; // all that clients sent
};

} // namespace openaps::test
