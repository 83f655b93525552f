#pragma once

#include "api/cohort/suppression.h"
#include "core/result.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QSqlDatabase>
#include <QStringList>

#include <optional>

namespace openaps::api {

// What a cohort view is computed over: the researcher's scope (the
// source_entity values it allows), the suppression threshold k and the
// window of the data, [from, to) in UTC.
struct CohortScope
{
    QList<int> sourceEntities;
    int minParticipants = 5; // OPENAPS_COHORT_MIN_PARTICIPANTS
    std::optional<QDateTime> from;
    std::optional<QDateTime> to;
};

// Every view answers
//   {"view", "k", "from", "to", "participants": n|null,
//    "groups": [{"name", "partition", "cells": [{"key", "participants": n|null, "suppressed", <figures>}]}]}
// with small cells withheld (suppressSmallCells); `participants` is how many
// participants in scope the view describes (null under k). Cells of a group
// whose `partition` is true count each participant once.

// The views GET /api/v1/cohort/{view} knows, in the order the API lists them.
const QStringList &cohortViewNames();
// The error "unknown-view" (404) naming the views there are.
Error unknownView(const QString &view);
// `view` (one of cohortViewNames()), or unknownView(view).
Result<QJsonObject> cohortView(const QSqlDatabase &db, const QString &view, const CohortScope &scope);

// `overview` (entries): participants by consent group and by days with
// readings (1-13, 14-90, 91-365, over 365), and per UTC month the
// participants with readings and the readings (figure "readings").
Result<QJsonObject> overviewView(const QSqlDatabase &db, const CohortScope &scope);
// `time_in_range` (participant_summary): each participant's time in the
// five consensus bands (percent of readings; Battelino 2019): participants
// by time in range 70-180 mg/dL (under 50, 50-70, 70-90, 90 % and over; the
// target is over 70) and by time below 70 (under 1, 1-4, 4 % and over; the
// target is under 4), and per band the percentiles p25, p50, p75 across
// participants. Without from/to their whole history (period all); with them
// the calendar months the window touches, combined by readings.
Result<QJsonObject> timeInRangeView(const QSqlDatabase &db, const CohortScope &scope);
// `glucose_by_time_of_day`: 96 cells, one per 15-minute bin of the LOCAL
// day ("00:00" ...): each participant's mean sensor glucose in the bin, and
// across participants the percentiles p5, p25, p50, p75, p95 (mg/dL) and
// the readings. Without from/to from analytics_glucose_time_of_day; with
// them the window's readings (the same filter: type sgv, 39-600): those of
// the local days wholly inside it (whatever the UTC offset: a day 14 hours
// from either end) from the ETL's bins of those months and days
// (derived_months, derived_days), the rest from the entries, so a year
// reads a few days of entries and the answer is the entries' own.
Result<QJsonObject> glucoseByTimeOfDayView(const QSqlDatabase &db, const CohortScope &scope);
// `loop_type_by_month` (analytics_loop_type_by_day): one group per month of
// local days, each participant in "closed loop" (every day with loop data
// closed), "open loop" (none) or "mixed"; figure "days". from/to select the
// days from from's date up to to's (exclusive at midnight).
Result<QJsonObject> loopTypeByMonthView(const QSqlDatabase &db, const CohortScope &scope);
// `device_groups` (analytics_device_groups): participants by their main
// device group (the one with the most entries among the devices seen in the
// window); a partition, so a participant using several counts once.
Result<QJsonObject> deviceGroupsView(const QSqlDatabase &db, const CohortScope &scope);
// `demographics`: participants (in scope, with a survey answer; the latest
// answer counts) by age bracket, years with diabetes, gender and country; a
// missing answer is the category "unknown". from/to do not apply (survey
// answers describe the person, not a time).
Result<QJsonObject> demographicsView(const QSqlDatabase &db, const CohortScope &scope);

} // namespace openaps::api
