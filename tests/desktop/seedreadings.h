#pragma once

#include "metrics/cgmmetrics.h"

#include <QList>

#include <cmath>

namespace openaps::test {

// Two days of 5-minute readings that visit every band, with a DST-like
// offset change halfway, a gap and a duplicated instant.
inline QList<metrics::Reading> seedReadings(int participant)
{
    QList<metrics::Reading> out;
    const qint64 start = 1710028800000 + participant * 3600000LL; // 2024-03-10T00:00Z, staggered
    for (int i = 0; i < 576; ++i) {
        if (i >= 100 && i < 110)
            continue; // a sensor gap
        double v = 140 + 90 * std::sin(i / (15.0 + participant)) + (i % 7) * 3;
        if (i % 97 == 0)
            v = 45;
        if (i % 89 == 0)
            v = 310;
        out.append({ start + i * 300000LL, i < 288 ? -300 : -240, std::round(v) });
    }
    out.append({ start + 5 * 300000LL, -300, 150 }); // the same instant twice
    return out;
}

} // namespace openaps::test
