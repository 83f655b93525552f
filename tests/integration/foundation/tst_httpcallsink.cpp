// HttpCall with a sink: 2xx bodies stream to the sink, a body cut short is
// an error whether or not it announced its length, and nothing already
// handed to the sink is fetched twice. Real sockets: a scripted raw HTTP
// server on loopback sends exactly the bytes each case needs.
#include "core/httpcall.h"

#include <QNetworkAccessManager>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

using namespace openaps;
using namespace Qt::StringLiterals;

namespace {

// Answers every connection with `answer`, then closes it (or, with
// `hangAfter`, stays silent instead of closing).
class ScriptedServer final : public QObject
{
    Q_OBJECT

public:
    ScriptedServer(QByteArray answer, bool hangAfter = false)
        : m_answer(std::move(answer)), m_hangAfter(hangAfter)
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                ++connections;
                connect(socket, &QTcpSocket::readyRead, socket, [this, socket] {
                    if (!socket->readAll().contains("\r\n\r\n") || socket->property("answered").toBool())
                        return;
                    socket->setProperty("answered", true);
                    socket->write(m_answer);
                    if (!m_hangAfter)
                        socket->disconnectFromHost();
                });
            }
        });
        m_server.listen(QHostAddress::LocalHost, 0);
    }

    QUrl url() const { return QUrl(u"http://127.0.0.1:%1/file"_s.arg(m_server.serverPort())); }
    int connections = 0;

private:
    QTcpServer m_server;
    QByteArray m_answer;
    bool m_hangAfter;
};

struct Outcome
{
    bool finished = false;
    Result<HttpResponse> result = makeError("none", QString());
    QByteArray sunk;
    int chunks = 0;
};

Outcome fetch(const QUrl &url, std::function<bool(const QByteArray &)> extraCheck = {},
              std::chrono::milliseconds timeout = std::chrono::milliseconds(3000))
{
    QNetworkAccessManager nam;
    Outcome outcome;
    HttpRequest request;
    request.request = QNetworkRequest(url);
    request.timeout = timeout;
    request.maxAttempts = 3;
    request.firstBackoff = std::chrono::milliseconds(10);
    request.sink = [&outcome, extraCheck](const QByteArray &chunk) {
        outcome.sunk += chunk;
        ++outcome.chunks;
        return extraCheck ? extraCheck(chunk) : true;
    };
    QObject context;
    HttpCall::start(&nam, std::move(request), &context, [&outcome](Result<HttpResponse> result) {
        outcome.finished = true;
        outcome.result = std::move(result);
    });
    // No QTRY_VERIFY here (it returns void on failure): the callers check finished.
    outcome.finished = QTest::qWaitFor([&outcome] { return outcome.finished; }, 15000);
    return outcome;
}

QByteArray chunked(const QList<QByteArray> &chunks, bool complete)
{
    QByteArray out = "HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (const QByteArray &c : chunks)
        out += QByteArray::number(c.size(), 16) + "\r\n" + c + "\r\n";
    if (complete)
        out += "0\r\n\r\n";
    return out;
}

} // namespace

class TestHttpCallSink final : public QObject
{
    Q_OBJECT

private slots:
    void wholeBodyWithLengthGoesToTheSink()
    {
        const QByteArray body = QByteArray("a,b\n1,2\n").repeated(5000);
        ScriptedServer server("HTTP/1.1 200 OK\r\nContent-Length: " + QByteArray::number(body.size())
                              + "\r\n\r\n" + body);
        const Outcome o = fetch(server.url());
        QVERIFY(o.finished);
        QVERIFY2(o.result, qPrintable(o.result ? QString() : o.result.error().toString()));
        QCOMPARE(o.result->status, 200);
        QCOMPARE(o.sunk, body);
        QCOMPARE(o.result->bytes, body.size());
        QVERIFY(o.result->body.isEmpty()); // nothing kept in memory
    }

    void completeChunkedBody()
    {
        ScriptedServer server(chunked({ "first,", "second,", "third" }, true));
        const Outcome o = fetch(server.url());
        QVERIFY(o.finished);
        QVERIFY(o.result);
        QCOMPARE(o.sunk, QByteArray("first,second,third"));
        QCOMPARE(server.connections, 1);
    }

    void chunkedBodyCutShortIsAnErrorAndNotRefetched()
    {
        ScriptedServer server(chunked({ "first,", "second," }, false));
        const Outcome o = fetch(server.url());
        QVERIFY(o.finished);
        QVERIFY(!o.result);
        QCOMPARE(o.result.error().code, u"truncated"_s);
        QCOMPARE(o.sunk, QByteArray("first,second,"));
        QCOMPARE(server.connections, 1); // the sink already had data: no retry
    }

    void lengthBodyCutShortIsAnError()
    {
        ScriptedServer server("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nonly this");
        const Outcome o = fetch(server.url());
        QVERIFY(o.finished);
        QVERIFY(!o.result);
        QCOMPARE(o.result.error().code, u"truncated"_s);
        QCOMPARE(server.connections, 1);
    }

    void errorBodiesStayOutOfTheSinkAndAreRetried()
    {
        ScriptedServer server("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 20\r\n\r\n{\"detail\":\"later..\"}");
        const Outcome o = fetch(server.url());
        QVERIFY(o.finished);
        QVERIFY(o.result);
        QCOMPARE(o.result->status, 503);
        QCOMPARE(o.result->body, QByteArray("{\"detail\":\"later..\"}"));
        QCOMPARE(o.chunks, 0);
        QCOMPARE(server.connections, 3);
    }

    void sinkRefusalStopsTheCall()
    {
        ScriptedServer server(chunked({ "first,", "second," }, true));
        const Outcome o = fetch(server.url(), [](const QByteArray &) { return false; });
        QVERIFY(o.finished);
        QVERIFY(!o.result);
        QCOMPARE(o.result.error().code, u"sink-failed"_s);
        QCOMPARE(server.connections, 1);
    }

    void silenceAfterDataIsATimeoutWithoutRetry()
    {
        ScriptedServer server(chunked({ "some data," }, false), true);
        const Outcome o = fetch(server.url(), {}, std::chrono::milliseconds(300));
        QVERIFY(o.finished);
        QVERIFY(!o.result);
        QCOMPARE(o.result.error().code, u"timeout"_s);
        QCOMPARE(o.sunk, QByteArray("some data,"));
        QCOMPARE(server.connections, 1);
    }
};

QTEST_GUILESS_MAIN(TestHttpCallSink)
#include "tst_httpcallsink.moc"
