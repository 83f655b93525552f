// A release download whose client stops taking bytes is dropped after
// ReleaseSettings::idleTimeout (OPENAPS_RELEASE_IDLE_TIMEOUT), so a stalled
// reader holds neither its connection nor the server's buffer for ever; a
// slow reader that keeps taking bytes gets the whole file, however long it
// takes. Real HTTP from a plain socket with a small receive buffer, so the
// reader's pace reaches the server.

#include "releasetesting.h"

#include <QCryptographicHash>
#include <QDir>
#include <QTemporaryDir>
#include <QTest>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <future>
#include <thread>

using namespace openaps;
using namespace Qt::StringLiterals;

class TestReleaseIdle final : public test::BackendTest
{
    Q_OBJECT

private slots:
    void stalledReaderIsDropped();
    void slowReaderGetsTheWholeFile();
};

namespace {

constexpr qint64 fileBytes = 16 * 1024 * 1024; // well past the socket buffers and the server's 1 MB
constexpr auto idleTimeout = std::chrono::seconds(2);

struct Fetched
{
    qint64 contentLength = -1;
    qint64 received = 0;
    QByteArray sha256; // of the body received
};

// GET `path` on a plain socket with a 32 KB receive buffer; after each read
// `pace(bodyBytesSoFar)` may sleep. Ends at Content-Length, or when the
// server closes or resets the connection.
Fetched fetch(quint16 port, const QByteArray &path, const std::function<void(qint64)> &pace)
{
    Fetched out;
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return out;
    const int small = 32 * 1024;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    const timeval limit { 30, 0 };
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    sockaddr_in address {};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the sockets API takes a sockaddr
    if (::connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address) != 0) {
        ::close(fd);
        return out;
    }
    const QByteArray request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
            + test::tokens::all + "\r\n\r\n";
    if (::send(fd, request.constData(), size_t(request.size()), MSG_NOSIGNAL) != request.size()) {
        ::close(fd);
        return out;
    }
    QCryptographicHash hash(QCryptographicHash::Sha256);
    QByteArray head;
    char buffer[16384];
    for (;;) {
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0)
            break; // closed, reset or 30 s without a byte
        QByteArrayView data(buffer, n);
        if (out.contentLength < 0) {
            head.append(data);
            const qsizetype end = head.indexOf("\r\n\r\n");
            if (end < 0)
                continue;
            for (const QByteArray &line : head.left(end).split('\n')) {
                if (line.toLower().startsWith("content-length:"))
                    out.contentLength = line.mid(15).trimmed().toLongLong();
            }
            if (out.contentLength < 0)
                break;
            data = QByteArrayView(head).sliced(end + 4);
            hash.addData(data);
            out.received += data.size();
        } else {
            hash.addData(data);
            out.received += data.size();
        }
        if (out.received >= out.contentLength)
            break;
        pace(out.received);
    }
    ::close(fd);
    out.sha256 = hash.result().toHex();
    return out;
}

// A ready release whose file is `fileBytes` of a pattern; its id, or 0.
qint64 bigRelease(test::ExportHarness &h, const QString &directory, QByteArray *sha256)
{
    QByteArray content;
    content.reserve(fileBytes);
    for (qint64 i = 0; content.size() < fileBytes; ++i)
        content += QByteArray::number(i).rightJustified(16, '.') + '\n';
    content.truncate(fileBytes);
    *sha256 = test::sha256Hex(content);
    if (!h.insert(u"releases"_s,
                  { { u"researcher_id"_s, 13 },
                    { u"datasets"_s, u"entries"_s },
                    { u"query"_s, u"format=csv"_s },
                    { u"compression"_s, u"store"_s },
                    { u"scope"_s, u"all"_s },
                    { u"state"_s, u"ready"_s },
                    { u"byte_count"_s, fileBytes },
                    { u"sha256"_s, QString::fromLatin1(*sha256) },
                    { u"created_at"_s, u"2024-01-01T00:00:00.000Z"_s } }))
        return 0;
    const auto list = h.get(u"/api/v1/releases"_s).json().value(u"releases"_s).toArray();
    const qint64 id = list.isEmpty() ? 0 : list.first().toObject().value(u"id"_s).toInteger();
    QFile file(QDir(directory).filePath(u"release-%1.zip"_s.arg(id)));
    if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size())
        return 0;
    return id;
}

// Runs `fetch` on a thread while the test's event loop serves it.
std::optional<Fetched> fetchServed(test::ExportHarness &h, qint64 id, std::function<void(qint64)> pace)
{
    const auto port = quint16(h.url(u"/"_s).port());
    auto fetched = std::async(std::launch::async, [port, id, pace = std::move(pace)] {
        return fetch(port, "/api/v1/releases/" + QByteArray::number(id) + "/file", pace);
    });
    if (!QTest::qWaitFor([&] { return fetched.wait_for(std::chrono::seconds(0)) == std::future_status::ready; }, 90000))
        return std::nullopt;
    return fetched.get();
}

// The release API on `backend` with `idleTimeout`, serving one big release
// (bigRelease) from a directory of its own.
struct BigReleaseServer
{
    explicit BigReleaseServer(const QString &backend) : h(backend)
    {
        if (!h.isValid())
            return;
        api::ReleaseSettings settings;
        settings.directory = dir.path();
        settings.idleTimeout = idleTimeout;
        h.installReleaseApi(settings);
        id = bigRelease(h, dir.path(), &sha256);
    }
    test::ExportHarness h;
    QTemporaryDir dir;
    QByteArray sha256;
    qint64 id = 0; // 0 if the database or the release could not be made
};

} // namespace

void TestReleaseIdle::stalledReaderIsDropped()
{
    QFETCH_GLOBAL(QString, backend);
    BigReleaseServer server(backend);
    QVERIFY(server.id > 0);

    // It takes 64 KB, then nothing for three times the timeout, then reads on.
    bool stalled = false;
    const auto fetched = fetchServed(server.h, server.id, [&stalled](qint64 received) {
        if (received >= 64 * 1024 && !stalled) {
            stalled = true;
            std::this_thread::sleep_for(idleTimeout * 3);
        }
    });
    QVERIFY(fetched);
    QVERIFY(stalled);
    QCOMPARE(fetched->contentLength, fileBytes);
    // The server dropped it: what was on its way arrived, the rest never did.
    QVERIFY2(fetched->received < fileBytes / 2, qPrintable(QString::number(fetched->received)));

    // The file is still there for the next try.
    const auto again = fetchServed(server.h, server.id, [](qint64) {});
    QVERIFY(again);
    QCOMPARE(again->received, fileBytes);
    QCOMPARE(again->sha256, server.sha256);
}

void TestReleaseIdle::slowReaderGetsTheWholeFile()
{
    QFETCH_GLOBAL(QString, backend);
    BigReleaseServer server(backend);
    QVERIFY(server.id > 0);

    // A pause of 300 ms after every MB: over twice the timeout in all, never
    // near it at once.
    qint64 nextPause = 1024 * 1024;
    QElapsedTimer took;
    took.start();
    const auto fetched = fetchServed(server.h, server.id, [&nextPause](qint64 received) {
        if (received >= nextPause) {
            nextPause += 1024 * 1024;
            std::this_thread::sleep_for(std::chrono::milliseconds(300));
        }
    });
    QVERIFY(fetched);
    QVERIFY(took.elapsed() > 2 * std::chrono::milliseconds(idleTimeout).count());
    QCOMPARE(fetched->received, fileBytes);
    QCOMPARE(fetched->sha256, server.sha256);
}

QTEST_MAIN(TestReleaseIdle)
#include "tst_releaseidle.moc"
