#pragma once

// What the libFuzzer harnesses share: a quiet QCoreApplication, a network
// that answers every request with the same canned reply (no socket), and a
// way to hand raw request bytes to a QHttpServer without a TCP port.

#include "db/database.h"

#include <QByteArray>
#include <QList>
#include <QNetworkAccessManager>
#include <QPair>
#include <QString>

#include <cstddef>
#include <cstdint>
#include <functional>

class QAbstractHttpServer;

namespace openaps::fuzz {

// Creates the QCoreApplication and silences logging (fuzzsupport.cpp's
// LLVMFuzzerInitialize calls it, unless a harness defines its own) (warnings included: a
// fuzzer feeds garbage on purpose); qFatal and Q_ASSERT still abort, and
// OPENAPS_FUZZ_VERBOSE=1 keeps the log.
void initQt();

// A directory of this process for files a harness must write (in memory,
// /dev/shm, where there is one); removed at exit.
QString scratchDir();
// Writes `data` to the file `name` in scratchDir(); returns its path.
QString writeScratchFile(const QString &name, const QByteArray &data);
// A finding: says what, for `target`, and aborts (libFuzzer keeps the input).
[[noreturn]] void fail(const char *target, const QString &what);
// A migrated SQLite database in scratchDir(), the same one for every call.
db::Database scratchDatabase();

inline QByteArray bytes(const uint8_t *data, size_t size)
{
    return QByteArray(reinterpret_cast<const char *>(data), qsizetype(size));
}

// Runs the event loop until `done` holds; a harness that does not get there
// within `maxRounds` rounds has found a hang, and aborts. Deletes the
// objects that asked for deleteLater() on the way.
void spinUntil(const std::function<bool()> &done, int maxRounds = 100000);
// Runs what is queued: posted events and deferred deletes.
void drainEvents();

// A QNetworkAccessManager that never touches the network: every request
// gets `answer` (status, headers, body), or a refused connection when
// `refuse` is set or more than `maxRequests` were made.
class CannedNetwork final : public QNetworkAccessManager
{
public:
    struct Answer
    {
        int status = 200;
        QList<QPair<QByteArray, QByteArray>> headers;
        QByteArray body;
    };

    Answer answer;
    bool refuse = false;
    int maxRequests = 16;
    int requests = 0;

protected:
    QNetworkReply *createRequest(Operation op, const QNetworkRequest &request, QIODevice *outgoingData) override;
};

// Sends `request` to `server` over a socket pair (both ends in this
// process: no port, no TIME_WAIT) and returns what came back by the time
// the answer was complete, the server closed the connection, or nothing
// more happened.
QByteArray exchange(QAbstractHttpServer &server, const QByteArray &request);

} // namespace openaps::fuzz
