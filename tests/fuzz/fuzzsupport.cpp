#include "fuzzsupport.h"

#include "db/migrations.h"

#include <QAbstractEventDispatcher>
#include <QAbstractHttpServer>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QNetworkReply>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <optional>

namespace openaps::fuzz {

namespace {

void quietHandler(QtMsgType type, const QMessageLogContext &, const QString &message)
{
    if (type == QtFatalMsg) {
        fprintf(stderr, "qFatal: %s\n", qPrintable(message));
        abort();
    }
}

// One canned answer, delivered from the event loop as a real reply would be.
class CannedReply final : public QNetworkReply
{
public:
    CannedReply(QNetworkAccessManager::Operation op, const QNetworkRequest &request,
                const CannedNetwork::Answer *answer, QObject *parent)
        : QNetworkReply(parent)
    {
        setRequest(request);
        setUrl(request.url());
        setOperation(op);
        open(QIODevice::ReadOnly | QIODevice::Unbuffered);
        if (!answer) {
            QMetaObject::invokeMethod(
                    this,
                    [this] {
                        setError(ConnectionRefusedError, QStringLiteral("refused"));
                        emit errorOccurred(ConnectionRefusedError);
                        setFinished(true);
                        emit finished();
                    },
                    Qt::QueuedConnection);
            return;
        }
        m_body = answer->body;
        setAttribute(QNetworkRequest::HttpStatusCodeAttribute, answer->status);
        for (const auto &[name, value] : answer->headers)
            setRawHeader(name, value);
        QMetaObject::invokeMethod(
                this,
                [this] {
                    emit metaDataChanged();
                    emit downloadProgress(m_body.size(), m_body.size());
                    if (!isOpen())
                        return; // aborted on the way
                    emit readyRead();
                    setFinished(true);
                    emit finished();
                },
                Qt::QueuedConnection);
    }

    void abort() override
    {
        if (isFinished())
            return;
        setError(OperationCanceledError, QStringLiteral("aborted"));
        close();
        setFinished(true);
        emit finished();
    }
    bool isSequential() const override { return true; }
    qint64 bytesAvailable() const override { return m_body.size() - m_pos + QNetworkReply::bytesAvailable(); }

protected:
    qint64 readData(char *data, qint64 maxSize) override
    {
        const qint64 n = qMin<qint64>(maxSize, m_body.size() - m_pos);
        if (n <= 0)
            return isFinished() ? -1 : 0;
        memcpy(data, m_body.constData() + m_pos, size_t(n));
        m_pos += n;
        return n;
    }

private:
    QByteArray m_body;
    qint64 m_pos = 0;
};

// Hands accepted sockets to the HTTP server as if they had come in.
class InjectingServer final : public QTcpServer
{
public:
    void inject(QTcpSocket *socket)
    {
        addPendingConnection(socket); // emits pendingConnectionAvailable
    }
};

bool processOnce()
{
    return QAbstractEventDispatcher::instance()->processEvents(QEventLoop::AllEvents);
}

// A connect() interrupted by a signal goes on in the background: wait
// until the socket is writable, then ask how it ended.
bool connectedAfterSignal(int socket)
{
    pollfd waiting { socket, POLLOUT, 0 };
    while (::poll(&waiting, 1, -1) < 0)
        if (errno != EINTR)
            return false;
    int error = 0;
    socklen_t length = sizeof error;
    return ::getsockopt(socket, SOL_SOCKET, SO_ERROR, &error, &length) == 0 && error == 0;
}

// A connected loopback TCP pair: {client, server}. Closed with SO_LINGER 0,
// so thousands per second leave no TIME_WAIT behind.
std::pair<int, int> loopbackPair()
{
    static int listener = -1;
    static sockaddr_in address {};
    if (listener < 0) {
        listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        if (::bind(listener, reinterpret_cast<sockaddr *>(&address), length) != 0 || ::listen(listener, 16) != 0
            || ::getsockname(listener, reinterpret_cast<sockaddr *>(&address), &length) != 0) {
            perror("fuzz: loopback listener");
            abort();
        }
    }
    const int client = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (::connect(client, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0
        && !(errno == EINTR && connectedAfterSignal(client))) {
        perror("fuzz: connect");
        abort();
    }
    int server = -1;
    do // libFuzzer's timers interrupt blocking calls now and then
        server = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    while (server < 0 && errno == EINTR);
    if (server < 0) {
        perror("fuzz: accept");
        abort();
    }
    const linger noLinger { 1, 0 };
    ::setsockopt(client, SOL_SOCKET, SO_LINGER, &noLinger, sizeof noLinger);
    ::fcntl(client, F_SETFL, ::fcntl(client, F_GETFL) | O_NONBLOCK);
    return { client, server };
}

// What the head of an HTTP message says about its body, and how much of it
// `message` holds.
struct Body
{
    bool headComplete = false;
    qint64 announced = -1; // Content-Length; -1 without one (or not a number)
    bool chunked = false; // Transfer-Encoding given
    qint64 held = 0;
};

Body bodyOf(const QByteArray &message)
{
    Body body;
    const qsizetype headEnd = message.indexOf("\r\n\r\n");
    if (headEnd < 0)
        return body;
    body.headComplete = true;
    body.held = message.size() - headEnd - 4;
    const QByteArray head = message.left(headEnd).toLower();
    body.chunked = head.contains("\r\ntransfer-encoding:");
    if (const qsizetype at = head.indexOf("\r\ncontent-length:"); at >= 0) {
        const qsizetype from = at + 17;
        const qsizetype to = head.indexOf("\r\n", from);
        bool ok = false;
        const qint64 size = head.mid(from, to < 0 ? -1 : to - from).trimmed().toLongLong(&ok);
        body.announced = ok ? size : -1;
    }
    return body;
}

// Whether `response` holds a whole HTTP answer (by Content-Length or the
// last chunk); without either only the closed connection tells.
bool complete(const QByteArray &response)
{
    const Body body = bodyOf(response);
    if (body.announced >= 0)
        return body.headComplete && body.held >= body.announced;
    return body.headComplete && body.chunked && response.endsWith("\r\n0\r\n\r\n");
}

// Whether `request` holds a request head and as much body as it announces
// (a guess: the server's parser decides).
bool looksWhole(const QByteArray &request)
{
    const Body body = bodyOf(request);
    if (body.announced >= 0)
        return body.headComplete && body.held >= body.announced;
    return body.headComplete && !body.chunked;
}

} // namespace

void initQt()
{
    static int argc = 1;
    static char name[] = "openaps-fuzz";
    static char *argv[] = { name, nullptr };
    static QCoreApplication *app = nullptr;
    if (app)
        return;
    app = new QCoreApplication(argc, argv);
    if (qgetenv("OPENAPS_FUZZ_VERBOSE") != "1") {
        QLoggingCategory::setFilterRules(QStringLiteral("*=false"));
        qInstallMessageHandler(quietHandler);
    }
}

QString writeScratchFile(const QString &name, const QByteArray &data)
{
    const QString path = scratchDir() + QLatin1Char('/') + name;
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(data) != data.size()) {
        fprintf(stderr, "fuzz: cannot write %s\n", qPrintable(path));
        abort();
    }
    return path;
}

void fail(const char *target, const QString &what)
{
    fprintf(stderr, "%s: %s\n", target, qPrintable(what));
    abort();
}

QString scratchDir()
{
    static QTemporaryDir *dir = nullptr;
    if (!dir) {
        const QString shm = QStringLiteral("/dev/shm");
        const bool inMemory = QFileInfo(shm).isDir() && QFileInfo(shm).isWritable();
        dir = new QTemporaryDir((inMemory ? shm : QDir::tempPath()) + QStringLiteral("/openaps-fuzz-XXXXXX"));
        if (!dir->isValid())
            abort();
        std::atexit([] { delete dir; });
    }
    return dir->path();
}

db::Database scratchDatabase()
{
    static std::optional<db::Database> database;
    if (!database) {
        auto url = db::DatabaseUrl::parse(QStringLiteral("sqlite://") + scratchDir() + QStringLiteral("/fuzz.db"));
        database.emplace(*url);
        if (auto migrated = db::migrate(*database); !migrated) {
            fprintf(stderr, "fuzz: migrating the scratch database failed: %s\n", qPrintable(migrated.error().message));
            abort();
        }
    }
    return *database;
}

void drainEvents()
{
    for (int i = 0; i < 100 && processOnce(); ++i) { }
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
}

void spinUntil(const std::function<bool()> &done, int maxRounds)
{
    for (int round = 0; !done(); ++round) {
        if (round >= maxRounds) {
            fprintf(stderr, "fuzz: the event loop did not finish within %d rounds\n", maxRounds);
            abort();
        }
        // Nothing to do: a worker thread has not answered yet. Spin at
        // first (most harnesses have no threads), then sleep a little.
        if (!processOnce() && round > 1000)
            ::poll(nullptr, 0, 1);
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    }
    drainEvents();
}

QNetworkReply *CannedNetwork::createRequest(Operation op, const QNetworkRequest &request, QIODevice *)
{
    ++requests;
    const bool give = !refuse && requests <= maxRequests;
    return new CannedReply(op, request, give ? &answer : nullptr, this);
}

QByteArray exchange(QAbstractHttpServer &server, const QByteArray &request)
{
    static InjectingServer *injector = nullptr;
    static QAbstractHttpServer *bound = nullptr;
    if (!injector)
        injector = new InjectingServer;
    if (bound != &server) {
        // bind() takes the QTcpServer as its child; one server per harness.
        server.bind(injector);
        bound = &server;
    }
    const auto [client, serverFd] = loopbackPair();
    auto *socket = new QTcpSocket;
    if (!socket->setSocketDescriptor(serverFd)) {
        fprintf(stderr, "fuzz: setSocketDescriptor failed\n");
        abort();
    }
    injector->inject(socket);

    const bool whole = looksWhole(request);
    QByteArray response;
    qsizetype written = 0;
    bool shut = false;
    int idle = 0;
    for (int round = 0; round < 20000; ++round) {
        bool progress = processOnce();
        if (written < request.size()) {
            const ssize_t n = ::send(client, request.constData() + written, size_t(request.size() - written),
                                     MSG_NOSIGNAL);
            if (n > 0) {
                written += n;
                progress = true;
            } else if (n < 0 && errno != EAGAIN) {
                break; // the server closed early
            }
        }
        char buffer[16384];
        const ssize_t n = ::recv(client, buffer, sizeof buffer, 0);
        if (n == 0)
            break; // closed by the server
        if (n > 0) {
            response.append(buffer, n);
            progress = true;
            if (complete(response))
                break;
        } else if (errno != EAGAIN) {
            break;
        }
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
        if (progress || written < request.size()) {
            idle = 0;
            continue;
        }
        if (!shut) {
            // Everything was sent and the server did what it could at once.
            // A whole request may be answered from a worker thread (exports,
            // Open Humans calls): give it a moment. Then end the request
            // side, as a client that gives up would, so a request the server
            // still waits for the rest of ends too.
            ++idle;
            if (idle < 2)
                continue;
            if (whole && response.isEmpty() && idle < 200) {
                pollfd wait { client, POLLIN, 0 };
                ::poll(&wait, 1, 1);
                continue;
            }
            ::shutdown(client, SHUT_WR);
            shut = true;
            idle = 0;
            continue;
        }
        if (++idle > 200)
            break; // an answer from a worker thread that does not come
        pollfd wait { client, POLLIN, 0 };
        ::poll(&wait, 1, 1);
    }
    ::close(client);
    drainEvents();
    return response;
}

} // namespace openaps::fuzz

// Harnesses that need nothing more than Qt get this one; a harness's own
// definition wins.
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int *, char ***)
{
    openaps::fuzz::initQt();
    return 0;
}
