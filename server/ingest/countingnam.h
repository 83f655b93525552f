#pragma once

#include <QHash>
#include <QMutex>
#include <QNetworkAccessManager>

namespace openaps::ingest {

// A QNetworkAccessManager that counts the body bytes it sends and receives
// per host, so a cycle can report what it really moved (page overlaps,
// listings and retries included), not an estimate from record sizes.
class CountingNetworkAccessManager final : public QNetworkAccessManager
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CountingNetworkAccessManager)

public:
    struct Bytes
    {
        qint64 sent = 0;
        qint64 received = 0;
        Bytes &operator+=(const Bytes &o)
        {
            sent += o.sent;
            received += o.received;
            return *this;
        }
    };

    explicit CountingNetworkAccessManager(QObject *parent = nullptr);

    QHash<QString, Bytes> byHost() const;
    Bytes forHost(const QString &host) const { return byHost().value(host); }
    Bytes total() const;
    void reset();

protected:
    QNetworkReply *createRequest(Operation op, const QNetworkRequest &request, QIODevice *outgoingData) override;

private:
    mutable QMutex m_mutex;
    QHash<QString, Bytes> m_bytes;
};

} // namespace openaps::ingest
