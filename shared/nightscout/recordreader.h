#pragma once

#include "core/result.h"
#include "core/step.h"
#include "nightscout/collection.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QPointer>
#include <QSet>

#include <optional>

namespace openaps::ns {

class Client;

struct Page
{
    Collection collection = Collection::Entries;
    QList<QJsonObject> records; // newest first, none repeated within one read
    int number = 0; // 1 for the first page delivered
};

// Reads the records of one collection with after < field <= upTo, newest
// first, in pages, with memory bounded by one page.
//
// Every request carries explicit bounds and a count, because Nightscout
// otherwise silently returns only the last 4 days and 10 or 100 records.
// Pages are walked by lowering the upper bound to the oldest timestamp of a
// full page. Records sharing that timestamp come again in the next page and
// are dropped by `_id`; when a whole page shares one timestamp the count is
// doubled (up to ClientOptions::maxPageSize) until the page is no longer full,
// so no record is lost or delivered twice.
//
// Pull-based: after pageReady() nothing is fetched until fetchNext() is
// called, so a slow consumer (an upload) holds back the reads. finished()
// comes once, after the last page was taken with fetchNext() or on error; the
// reader deletes itself afterwards.
class RecordReader final : public Step
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RecordReader)

public:
    RecordReader(Client *client, Collection collection, const QDateTime &after, const QDateTime &upTo);

    void start();
    void fetchNext();

    Collection collection() const { return m_collection; }
    bool ok() const { return !m_error.has_value(); }
    // Codes: those of Client::interpretJson, plus "too-many-same-time".
    const Error &error() const { return *m_error; }
    qint64 recordCount() const { return m_delivered; }
    int requestCount() const { return m_requests; }

signals:
    void pageReady(const openaps::ns::Page &page);

private:
    void request();
    void onAnswer(Result<QJsonDocument> answer);
    std::optional<QString> keyOf(const QJsonObject &record) const;
    bool keyLess(const QString &a, const QString &b) const;
    void deliverOrContinue(QList<QJsonObject> records);
    void fail(Error error);
    void finish();

    QPointer<Client> m_client;
    Collection m_collection;
    QString m_lower; // exclusive
    QString m_upper; // inclusive; lowered as pages are read
    QSet<QString> m_seenAtUpper; // ids already delivered whose key equals m_upper
    int m_count = 0;
    bool m_more = true;
    bool m_waiting = false; // a page is out, waiting for fetchNext()
    int m_pages = 0;
    int m_requests = 0;
    qint64 m_delivered = 0;
    std::optional<Error> m_error;
};

} // namespace openaps::ns

Q_DECLARE_METATYPE(openaps::ns::Page)
