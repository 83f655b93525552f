#pragma once

#include "researcher/cohortview.h"
#include "units.h"

#include <QString>

class QChart;

namespace openaps::desktop {

// The dashboards' charts, one per group of a cohort view. A withheld cell
// (fewer than k participants) is never drawn as a number: in count charts
// it is a hatched bar up to k in the set "suppressed" (its category label
// says "suppressed (< k)"); where a figure is not a count (percentiles) the
// label says so and nothing is drawn. Series and sets carry object names
// ("participants", "suppressed", "p50", ...) for tests.

// Participants per category of one group (consent, days with data, device
// group, age bracket, ...).
QChart *cohortBarChart(const researcher::CohortGroup &group, int k, const QString &title);
// Overview's `months`: participants per month as bars and the readings as a
// line on a second axis.
QChart *cohortMonthsChart(const researcher::CohortGroup &months, int k);
// time_in_range's `bands`: p25, p50 and p75 across participants per band.
QChart *cohortBandsChart(const researcher::CohortGroup &bands, int k);
// glucose_by_time_of_day's `bins`: 5–95 % and 25–75 % bands and the median
// by local time of day, in `unit`; withheld bins hatched over the whole height.
QChart *cohortTimeOfDayChart(const researcher::CohortGroup &bins, int k, GlucoseUnit unit = GlucoseUnit::MgDl);
// loop_type_by_month: one stacked bar per month, closed / open / mixed.
QChart *cohortLoopChart(const researcher::CohortView &view);

// The label of a category, with the suppression said in words.
QString cohortCategoryLabel(const researcher::CohortCell &cell, int k);

} // namespace openaps::desktop
