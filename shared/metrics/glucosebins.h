#pragma once

#include "metrics/cgmmetrics.h"

#include <QString>

#include <array>

namespace openaps::metrics {

// Sensor glucose of 39..600 mg/dL in one 15-minute bin of the local day,
// as the server's derived tables keep it per day and per month
// (derived_days, derived_months) and add it up.
struct BinSum
{
    qint64 count = 0;
    double sum = 0;
    double min = 0;
    double max = 0;

    void add(const BinSum &other);
};
using GlucoseBins = std::array<BinSum, agpBinCount>;

// The text form of the column glucose_bins ("bin count sum min max;...",
// bins without readings left out; exact: doubles in their shortest form
// that reads back the same). Decoding adds to what `bins` holds.
QString encodeBins(const GlucoseBins &bins);
void addBins(const QString &text, GlucoseBins &bins);
// Adds `bins` bin by bin.
void addTo(GlucoseBins &sum, const GlucoseBins &bins);

} // namespace openaps::metrics
