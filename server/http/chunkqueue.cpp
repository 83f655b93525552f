#include "http/chunkqueue.h"

namespace openaps::http {

void ChunkQueue::notifyLocked(std::unique_lock<std::mutex> &lock)
{
    if (m_notified || !m_notify)
        return;
    m_notified = true;
    // Called with the lock held: cancel() cannot clear m_notify meanwhile,
    // so the consumer object it posts to is still alive.
    m_notify();
    Q_UNUSED(lock);
}

bool ChunkQueue::setEstimate(qint64 rows)
{
    std::unique_lock lock(m_mutex);
    if (m_cancelled)
        return false;
    m_state.estimate = rows;
    notifyLocked(lock);
    return true;
}

bool ChunkQueue::push(QByteArray chunk, qint64 rowsThrough)
{
    std::unique_lock lock(m_mutex);
    m_space.wait(lock, [this] { return m_cancelled || m_bytes < m_capacity; });
    if (m_cancelled)
        return false;
    m_bytes += chunk.size();
    m_chunks.emplace_back(std::move(chunk), rowsThrough);
    notifyLocked(lock);
    return true;
}

void ChunkQueue::finish(qint64 rows, std::optional<Error> error)
{
    std::unique_lock lock(m_mutex);
    m_state.finished = true;
    m_state.rows = rows;
    m_state.error = std::move(error);
    notifyLocked(lock);
}

bool ChunkQueue::isCancelled() const
{
    std::lock_guard lock(m_mutex);
    return m_cancelled;
}

void ChunkQueue::setNotify(std::function<void()> notify)
{
    std::lock_guard lock(m_mutex);
    m_notify = std::move(notify);
}

void ChunkQueue::cancel()
{
    {
        std::lock_guard lock(m_mutex);
        m_cancelled = true;
        m_notify = nullptr;
        m_chunks.clear();
        m_bytes = 0;
    }
    m_space.notify_all();
}

ChunkQueue::Next ChunkQueue::next()
{
    Next next;
    {
        std::lock_guard lock(m_mutex);
        m_notified = false;
        next.state = m_state;
        if (m_chunks.empty())
            return next;
        next.chunk = std::move(m_chunks.front().first);
        next.chunkRows = m_chunks.front().second;
        m_chunks.pop_front();
        m_bytes -= next.chunk->size();
    }
    m_space.notify_one();
    return next;
}

} // namespace openaps::http
