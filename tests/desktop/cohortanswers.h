#pragma once

// Cohort view answers as the server sends them for a cohort of `participants`
// (GET /api/v1/cohort/{view}; README "Cohort views and small-cell
// suppression"), for the contract stand-in and the dashboards benchmark:
// five years of months, 96 time-of-day bins, forty countries whose tail is
// withheld (fewer than k), a withheld device group and gender.

#include <QJsonArray>
#include <QJsonObject>
#include <QMap>

namespace openaps::test {

QMap<QString, QJsonObject> cohortAnswers(int participants, int k = 5);
// GET /api/v1/participants and participant_summary's NDJSON (monthly rows
// and the whole-history one) for participants 1..n.
QJsonArray participantList(int participants);
QByteArray participantSummaryNdjson(int participants);

} // namespace openaps::test
