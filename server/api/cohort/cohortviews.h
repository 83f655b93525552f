#pragma once

#include "api/cohort/suppression.h"
#include "core/result.h"

#include <QJsonObject>
#include <QList>
#include <QSqlDatabase>

namespace openaps::api {

// What a cohort view is computed over: the researcher's scope (the
// source_entity values it allows) and the suppression threshold k.
struct CohortScope
{
    QList<int> sourceEntities;
    int minParticipants = 5; // OPENAPS_COHORT_MIN_PARTICIPANTS
};

// `demographics`: participants (in scope, with a survey answer; the latest
// answer counts) by age bracket, years with diabetes, gender and country,
// each dimension a group of cells with small cells withheld
// (suppressSmallCells); a missing answer is the category "unknown". Answer:
//   {"view":"demographics","k":5,"participants":n|null,
//    "groups":[{"name":"age_bracket","cells":[{"key","participants","suppressed"}...]},...]}
Result<QJsonObject> demographicsView(QSqlDatabase &db, const CohortScope &scope);

} // namespace openaps::api
