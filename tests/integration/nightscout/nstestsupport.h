#pragma once

// Helpers for the Nightscout client tests: run a reader or a probe to the
// end on the test's event loop and collect what it delivered.

#include "nightscout/client.h"
#include "nightscout/probejob.h"
#include "nightscout/recordreader.h"
#include "standins/nightscoutstandin.h"

#include <QEventLoop>
#include <QJsonObject>
#include <QSet>
#include <QTest>
#include <QTimer>

#include <optional>

namespace nstest {

using namespace openaps;

struct ReadOutcome
{
    bool finished = false;
    bool ok = false;
    Error error;
    QList<QJsonObject> records;
    int pages = 0;
    int requests = 0;
};

inline ns::ClientOptions fastOptions(int pageSize = 1000)
{
    ns::ClientOptions o;
    o.timeout = std::chrono::milliseconds(3000);
    o.firstBackoff = std::chrono::milliseconds(10);
    o.maxAttempts = 3;
    o.pageSize = pageSize;
    o.addresses = ns::AddressScope::AllowLoopback; // the stand-ins listen on 127.0.0.1
    return o;
}

inline ns::SiteUrl siteUrl(const QUrl &url)
{
    return *ns::SiteUrl::parse(url.toString());
}

inline ReadOutcome readAll(ns::Client &client, ns::Collection collection, const QDateTime &after, const QDateTime &upTo,
                           int timeoutMs = 30000)
{
    ReadOutcome out;
    QObject guard;
    ns::RecordReader *reader = client.read(collection, after, upTo);
    QObject::connect(reader, &ns::RecordReader::pageReady, &guard, [&](const ns::Page &page) {
        out.records += page.records;
        ++out.pages;
        reader->fetchNext();
    });
    QObject::connect(reader, &ns::RecordReader::finished, &guard, [&] {
        out.finished = true;
        out.ok = reader->ok();
        if (!out.ok)
            out.error = reader->error();
        out.requests = reader->requestCount();
    });
    // A local loop, not QTest::qWaitFor: that one polls with pauses, which
    // would dominate a test of many small requests.
    QEventLoop loop;
    QObject::connect(reader, &ns::RecordReader::finished, &loop, &QEventLoop::quit, Qt::QueuedConnection);
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    reader->start();
    loop.exec();
    return out;
}

inline std::optional<ns::ProbeResult> probe(ns::Client &client, int timeoutMs = 30000)
{
    std::optional<ns::ProbeResult> result;
    QObject guard;
    ns::ProbeJob *job = client.probe();
    QObject::connect(job, &ns::ProbeJob::finished, &guard, [&] { result = job->result(); });
    QEventLoop loop;
    QObject::connect(job, &ns::ProbeJob::finished, &loop, &QEventLoop::quit, Qt::QueuedConnection);
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    job->start();
    loop.exec();
    return result;
}

inline QStringList ids(const QList<QJsonObject> &records)
{
    QStringList out;
    for (const QJsonObject &r : records)
        out.append(r.value(QLatin1String("_id")).toString());
    return out;
}

} // namespace nstest
