#pragma once

#include "core/result.h"
#include "nightscout/collection.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QUrlQuery>

#include <memory>
#include <vector>

namespace openaps::synthetic {
class Generator;
}

namespace openaps::standins {

// The records of one stand-in Nightscout site and the v1 read semantics
// clients meet on real sites (cgm-remote-monitor 14/15):
// - lists come newest first (by `date` for entries, `created_at` for
//   treatments and devicestatus, `startDate` for profiles);
// - `find[F]`, `find[F][$gt|$gte|$lt|$lte]` filter; `date` compares as a
//   number, every other field as a string (so "…-07:00" sorts by its text);
// - without a filter on the date field only the last 4 days are returned
//   (not for profiles);
// - without `count`: 10 entries, 100 treatments, 10 devicestatus, all
//   profiles; `count=0` means no limit, as MongoDB's limit(0).
class NightscoutStore
{
public:
    static constexpr int kDefaultEntriesCount = 10;
    static constexpr int kDefaultTreatmentsCount = 100;
    static constexpr int kDefaultDeviceStatusCount = 10;
    static constexpr qint64 kDefaultWindowMs = 4LL * 24 * 3600 * 1000;

    // Adds records; one without `_id` gets a new ObjectId-like one.
    void add(ns::Collection collection, const QJsonObject &record);
    void add(ns::Collection collection, const QList<QJsonObject> &records);
    // Adds every collection of a synthetic participant for [from, to).
    void seed(const synthetic::Generator &generator, const QDateTime &from, const QDateTime &to);
    // Serves a synthetic participant without storing it: queries generate
    // the days they reach (see generatedMatches), merged with added records.
    // For years of data (benchmarks, the demo) in little memory.
    void serveGenerated(std::shared_ptr<const synthetic::Generator> generator) { m_generator = std::move(generator); }
    void clear();
    qsizetype size(ns::Collection collection) const;

    // The list GET /api/v1/<collection>.json answers, or an Error with code
    // "bad-request" for a query Nightscout would not run.
    Result<QList<QJsonObject>> query(ns::Collection collection, const QUrlQuery &query, const QDateTime &now) const;

    // GET /api/v1/profile.json: every profile, newest first; `find` is ignored.
    QList<QJsonObject> allProfiles() const;

private:
    struct Stored
    {
        double number; // entries' `date`, NaN when absent
        QString text; // the others' date field, empty when absent
        QJsonObject record;
    };
    struct Bucket
    {
        std::vector<Stored> sorted; // ascending by key, then insertion
        bool dirty = false; // appended since the last sort
    };

    Bucket &bucket(ns::Collection collection) const;
    void sortIfNeeded(ns::Collection collection) const;
    QString newObjectId();

    mutable Bucket m_buckets[4];
    quint64 m_sequence = 0;
    std::shared_ptr<const synthetic::Generator> m_generator;
};

} // namespace openaps::standins
