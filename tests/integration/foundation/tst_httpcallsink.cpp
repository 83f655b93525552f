// HttpCall with a sink: 2xx bodies stream to the sink, a body cut short is
// an error whether or not it announced its length (also into memory, and
// also when Qt itself reports no error), and nothing already handed to the
// sink is fetched twice. Real sockets: a scripted raw HTTP
// server on loopback sends exactly the bytes each case needs.
#include "core/httpcall.h"

#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

using namespace openaps;
using namespace Qt::StringLiterals;

namespace {

// Answers every connection with `answer`, then closes it (or, with
// `hangAfter`, stays silent instead of closing; with `closeAfter`, closes
// that much later).
class ScriptedServer final : public QObject
{
    Q_OBJECT

public:
    ScriptedServer(QByteArray answer, bool hangAfter = false,
                   std::chrono::milliseconds closeAfter = std::chrono::milliseconds(0))
        : m_answer(std::move(answer)),
          m_hangAfter(hangAfter),
          m_closeAfter(closeAfter)
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                ++connections;
                connect(socket, &QTcpSocket::readyRead, socket, [this, socket] {
                    if (!socket->readAll().contains("\r\n\r\n") || socket->property("answered").toBool())
                        return;
                    socket->setProperty("answered", true);
                    socket->write(m_answer);
                    if (m_hangAfter)
                        return;
                    if (m_closeAfter.count() == 0) {
                        socket->disconnectFromHost();
                        return;
                    }
                    socket->flush();
                    QTimer::singleShot(m_closeAfter, socket, [socket] { socket->disconnectFromHost(); });
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
    std::chrono::milliseconds m_closeAfter;
};

struct Outcome
{
    bool finished = false;
    Result<HttpResponse> result = makeError("none", QString());
    QByteArray sunk;
    int chunks = 0;
};

enum class Into { Sink, Memory };
// How the test waits. Polling (QTest::qWaitFor) hides the Qt race that
// lengthBodyCutShortIsAnErrorWhateverQtSays shows; a running event loop,
// as in the server and the desktop app, shows it.
enum class Wait { Polling, EventLoop };

Outcome fetch(const QUrl &url, const std::function<bool(const QByteArray &)> &extraCheck = {},
              std::chrono::milliseconds timeout = std::chrono::milliseconds(3000), Into into = Into::Sink,
              int maxAttempts = 3, Wait wait = Wait::Polling)
{
    QNetworkAccessManager nam;
    Outcome outcome;
    HttpRequest request;
    request.request = QNetworkRequest(url);
    request.timeout = timeout;
    request.maxAttempts = maxAttempts;
    request.firstBackoff = std::chrono::milliseconds(10);
    if (into == Into::Sink) {
        request.sink = [&outcome, extraCheck](const QByteArray &chunk) {
            outcome.sunk += chunk;
            ++outcome.chunks;
            return extraCheck ? extraCheck(chunk) : true;
        };
    }
    QObject context;
    QEventLoop loop;
    HttpCall::start(&nam, std::move(request), &context, [&outcome, &loop](Result<HttpResponse> result) {
        outcome.finished = true;
        outcome.result = std::move(result);
        loop.quit();
    });
    // No QTRY_VERIFY here (it returns void on failure): the callers check finished.
    if (wait == Wait::Polling) {
        outcome.finished = QTest::qWaitFor([&outcome] { return outcome.finished; }, 15000);
        return outcome;
    }
    QTimer::singleShot(15000, &loop, &QEventLoop::quit);
    if (!outcome.finished)
        loop.exec();
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
        ScriptedServer server("HTTP/1.1 200 OK\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n"
                              + body);
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

    // The server sends the status, the headers and half the announced body,
    // and closes a little later. Qt then ends the reply *without* an error
    // in about a third of the cases (its HTTP/1 channel takes the close for
    // the end of a body without length, depending on which of its paths sees
    // the close first): nightscout_reads once got "malformed" instead of
    // "truncated" that way on a busy machine. Thirty tries make a miss of
    // the length check all but certain to show. (A chunked body cut short
    // can end the same way, and there no length tells: HttpCall cannot see
    // it, see httpcall.cpp.)
    void lengthBodyCutShortIsAnErrorWhateverQtSays_data()
    {
        QTest::addColumn<bool>("sink");
        QTest::addRow("into memory") << false;
        QTest::addRow("into a sink") << true;
    }

    void lengthBodyCutShortIsAnErrorWhateverQtSays()
    {
        QFETCH(bool, sink);
        const QByteArray body = QByteArray("[{\"sgv\":120},").repeated(100);
        ScriptedServer server("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                                      + QByteArray::number(body.size()) + "\r\n\r\n" + body.left(body.size() / 2),
                              false, std::chrono::milliseconds(20));
        for (int i = 0; i < 30; ++i) {
            const Outcome o = fetch(server.url(), {}, std::chrono::milliseconds(10000),
                                    sink ? Into::Sink : Into::Memory, 1, Wait::EventLoop);
            QVERIFY(o.finished);
            QVERIFY2(!o.result, qPrintable(u"try %1: a cut-off body was delivered as a whole answer"_s.arg(i)));
            QCOMPARE(o.result.error().code, u"truncated"_s);
        }
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
