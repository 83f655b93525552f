#pragma once

#include "core/result.h"

#include <QByteArray>

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>

namespace openaps::http {

// The hand-over between an export's producer (a worker thread reading the
// database) and the HTTP writer on the server's thread. Bounded in bytes:
// the producer blocks while the queue is full, so a slow client slows the
// query down instead of filling memory.
class ChunkQueue
{
public:
    explicit ChunkQueue(qsizetype capacityBytes) : m_capacity(capacityBytes) { }

    // Producer side. Each returns false once the consumer cancelled.
    bool setEstimate(qint64 rows);
    // `rowsThrough`: rows produced up to the end of this chunk.
    bool push(QByteArray chunk, qint64 rowsThrough);
    // The producer is done: ok, or failed with `error`. `rows` were produced.
    void finish(qint64 rows, std::optional<Error> error);
    bool isCancelled() const;

    // Consumer side. `notify` is called (on the producer's thread, under no
    // lock of ours held by the caller) when there is something new; it must
    // only post to the consumer's thread. Cleared by cancel().
    void setNotify(std::function<void()> notify);
    void cancel();

    struct State
    {
        std::optional<qint64> estimate;
        bool finished = false;
        qint64 rows = 0;
        std::optional<Error> error;
    };
    // The next chunk if there is one, and the state at that moment (taken
    // together: finished with no chunk means everything was handed over).
    // Clears the pending-notification flag, so the next push notifies again.
    struct Next
    {
        std::optional<QByteArray> chunk;
        qint64 chunkRows = 0; // rows through the end of chunk
        State state;
    };
    Next next();

private:
    void notifyLocked(std::unique_lock<std::mutex> &lock);

    mutable std::mutex m_mutex;
    std::condition_variable m_space;
    std::deque<std::pair<QByteArray, qint64>> m_chunks;
    qsizetype m_bytes = 0;
    const qsizetype m_capacity;
    bool m_cancelled = false;
    bool m_notified = false;
    State m_state;
    std::function<void()> m_notify;
};

} // namespace openaps::http
