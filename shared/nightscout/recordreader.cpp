#include "nightscout/recordreader.h"

#include "nightscout/client.h"
#include "nightscout/nightscoutlog.h"

#include <QJsonArray>
#include <QTimer>
#include <QUrlQuery>

#include <cmath>

namespace openaps::ns {

namespace {

// The de-duplication key: Nightscout's `_id`, or the whole record for the
// rare document without one.
QString identity(const QJsonObject &record)
{
    const QJsonValue id = record.value(QLatin1String("_id"));
    if (id.isString())
        return id.toString();
    return QString::fromUtf8(QJsonDocument(record).toJson(QJsonDocument::Compact));
}

QString numberKey(double value)
{
    if (std::floor(value) == value && std::abs(value) < 9.0e15)
        return QString::number(qint64(value));
    return QString::number(value, 'f', 3);
}

} // namespace

RecordReader::RecordReader(Client *client, Collection collection, const QDateTime &after, const QDateTime &upTo)
    : Step(client),
      m_client(client),
      m_collection(collection),
      m_lower(boundValue(collection, after)),
      m_upper(boundValue(collection, upTo)),
      m_count(client->options().pageSize)
{
    m_more = after < upTo;
}

void RecordReader::start()
{
    if (!m_more) {
        // An empty window: finish from the event loop, like any other outcome.
        QTimer::singleShot(0, this, &RecordReader::finish);
        return;
    }
    request();
}

void RecordReader::fetchNext()
{
    if (!m_waiting || isFinished())
        return;
    m_waiting = false;
    if (m_more)
        request();
    else
        finish();
}

void RecordReader::request()
{
    const QString field = dateField(m_collection);
    QUrlQuery query;
    query.addQueryItem(QLatin1String("find[") + field + QLatin1String("][$gt]"), m_lower);
    query.addQueryItem(QLatin1String("find[") + field + QLatin1String("][$lte]"), m_upper);
    query.addQueryItem(QStringLiteral("count"), QString::number(m_count));
    ++m_requests;
    m_client->getJson(collectionEndpoint(m_collection), query, this,
                      [this](Result<QJsonDocument> answer) { onAnswer(std::move(answer)); });
}

std::optional<QString> RecordReader::keyOf(const QJsonObject &record) const
{
    const QJsonValue value = record.value(dateField(m_collection));
    if (hasNumericDateField(m_collection)) {
        bool ok = value.isDouble();
        const double number = ok ? value.toDouble() : value.toString().toDouble(&ok);
        if (!ok)
            return std::nullopt;
        return numberKey(number);
    }
    if (!value.isString())
        return std::nullopt;
    return value.toString();
}

bool RecordReader::keyLess(const QString &a, const QString &b) const
{
    // Same order as Nightscout's: numbers for entries, plain string order
    // (MongoDB's) for created_at and startDate.
    if (hasNumericDateField(m_collection))
        return a.toDouble() < b.toDouble();
    return a < b;
}

void RecordReader::onAnswer(Result<QJsonDocument> answer)
{
    if (!answer) {
        fail(answer.error());
        return;
    }
    if (!answer->isArray()) {
        fail(makeError("malformed",
                       QStringLiteral("Your Nightscout site sent something other than "
                                      "a list of records.")));
        return;
    }
    const QJsonArray array = answer->array();
    QList<QJsonObject> fresh;
    fresh.reserve(array.size());
    std::optional<QString> edge;
    for (const QJsonValue &value : array) {
        if (!value.isObject()) {
            fail(makeError("malformed",
                           QStringLiteral("Your Nightscout site sent a list with "
                                          "something other than records in it.")));
            return;
        }
        const QJsonObject record = value.toObject();
        const auto key = keyOf(record);
        if (!key) {
            fail(makeError("malformed",
                           QStringLiteral("Your Nightscout site sent a record without "
                                          "a usable %1 field.")
                                   .arg(dateField(m_collection))));
            return;
        }
        if (!edge || keyLess(*key, *edge))
            edge = key;
        if (!m_seenAtUpper.contains(identity(record)))
            fresh.append(record);
    }

    const bool full = array.size() >= m_count;
    if (!full) {
        m_more = false;
    } else if (!keyLess(*edge, m_upper)) {
        // The whole page shares the upper bound: ask for more at once.
        if (m_count >= m_client->options().maxPageSize) {
            fail(makeError("too-many-same-time",
                           QStringLiteral("Your Nightscout site has more than %1 %2 records with the "
                                          "same time; they cannot be read in pages.")
                                   .arg(m_count)
                                   .arg(collectionName(m_collection))));
            return;
        }
        m_count = qMin(m_count * 2, m_client->options().maxPageSize);
        for (const QJsonObject &record : std::as_const(fresh))
            m_seenAtUpper.insert(identity(record));
    } else {
        // Next page: up to and including the oldest timestamp of this one,
        // skipping the records at that timestamp already delivered.
        m_upper = *edge;
        m_count = m_client->options().pageSize;
        m_seenAtUpper.clear();
        for (const QJsonValue &value : array) {
            const QJsonObject record = value.toObject();
            if (keyOf(record) == edge)
                m_seenAtUpper.insert(identity(record));
        }
    }
    deliverOrContinue(std::move(fresh));
}

void RecordReader::deliverOrContinue(QList<QJsonObject> records)
{
    if (records.isEmpty()) {
        m_waiting = true;
        fetchNext();
        return;
    }
    Page page;
    page.collection = m_collection;
    page.number = ++m_pages;
    page.records = std::move(records);
    m_delivered += page.records.size();
    m_waiting = true;
    qCDebug(lcNightscout) << "site" << m_client->site().logId() << collectionName(m_collection) << "page" << page.number
                          << "records" << page.records.size();
    emit pageReady(page);
}

void RecordReader::fail(Error error)
{
    qCInfo(lcNightscout) << "site" << m_client->site().logId() << "read of" << collectionName(m_collection)
                         << "failed:" << error.code;
    m_error = std::move(error);
    finish();
}

void RecordReader::finish()
{
    if (!markFinished())
        return;
    emit finished();
    deleteLater();
}

} // namespace openaps::ns
