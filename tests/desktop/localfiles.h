#pragma once

// Downloads as the researcher API writes them, for the local view's tests:
// one participant's entries, treatments, device status (Loop's columns and
// the metrics table) and profile, in CSV or NDJSON, plain or gzip.

#include "metrics/cgmmetrics.h"
#include "testfiles.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QTimeZone>

namespace openaps::test {

inline QString isoUtc(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc()).toString(Qt::ISODateWithMs);
}

inline QByteArray entriesCsv(const QString &participant, const QList<metrics::Reading> &readings)
{
    QByteArray out = "user_id,id,sgv,date,utc_offset\n";
    int i = 0;
    for (const metrics::Reading &r : readings)
        out += QStringLiteral("%1,e%2,%3,%4,%5\n")
                       .arg(participant)
                       .arg(i++)
                       .arg(r.mgdl)
                       .arg(isoUtc(r.utcMs))
                       .arg(r.offsetMinutes)
                       .toUtf8();
    return out;
}

// Every 3 hours from `start` for two days: insulin at even hours, carbs at
// every fourth; the raw_json column holds commas and quotes.
struct TreatmentsFile
{
    QByteArray csv;
    int insulin = 0;
    int carbs = 0;
    int rows = 0;
};
inline TreatmentsFile treatmentsCsv(const QString &participant, qint64 start)
{
    TreatmentsFile f;
    f.csv = "user_id,id,event_type,timestamp,insulin,carbs,raw_json,created_at,utc_offset\n";
    for (int i = 0; i < 16; ++i) {
        const bool insulin = i % 2 == 0, carbs = i % 4 == 1;
        f.insulin += insulin;
        f.carbs += carbs;
        ++f.rows;
        f.csv += QStringLiteral("%1,t%2,%3,%4,%5,%6,\"{\"\"a\"\":1,\"\"b\"\":\"\"x,y\"\"}\",%4,-300\n")
                         .arg(participant)
                         .arg(i)
                         .arg(insulin ? QStringLiteral("Correction Bolus") : QStringLiteral("Meal Bolus"))
                         .arg(isoUtc(start + i * 3 * 3600000LL))
                         .arg(insulin ? QStringLiteral("1.5") : QString())
                         .arg(carbs ? QStringLiteral("30") : QString())
                         .toUtf8();
    }
    return f;
}

// Loop cycles every 30 minutes for a day, OpenAPS figures in NDJSON.
inline QByteArray deviceStatusMetricsNdjson(const QString &participant, qint64 start, int cycles)
{
    QByteArray out;
    for (int i = 0; i < cycles; ++i)
        out += QStringLiteral("{\"user_id\":%1,\"device_status_id\":\"d%2\",\"iob_iob\":%3,\"enacted_cob\":%4,"
                              "\"enacted_eventual_bg\":%5,\"enacted_rate\":0.8,\"enacted_duration\":30,"
                              "\"created_at\":\"%6\",\"utc_offset\":-300}\n")
                       .arg(participant)
                       .arg(i)
                       .arg(0.1 * i)
                       .arg(i)
                       .arg(100 + i)
                       .arg(isoUtc(start + i * 1800000LL))
                       .toUtf8();
    return out;
}

inline QByteArray profileNdjson(const QString &participant, qint64 start)
{
    return QStringLiteral("{\"user_id\":%1,\"id\":\"p1\",\"default_profile\":\"profile-0a1b2c3d\",\"mills\":0,"
                          "\"units\":\"mg/dl\",\"timezone\":\"America/New_York\",\"start_date\":\"%2\","
                          "\"raw_json\":{\"store\":{}},\"created_at\":\"%2\",\"utc_offset\":-300}\n")
            .arg(participant, isoUtc(start))
            .toUtf8();
}

} // namespace openaps::test
