#pragma once

#include "core/result.h"
#include "db/database.h"

#include <QJsonArray>
#include <QList>

namespace openaps::api {

// GET /api/v1/participants: the participants a researcher may download, for
// picking some (the exports' participants= filter): per participant with
// glucose data, from participant_summary's whole-history row, the
// pseudonym (user_id), the consent group (openaps, nsf, both), the first
// and last reading, days with data and whether the data meet the consensus
// rule. Only rows whose source_entity is in `sourceEntities` (the
// researcher's scope); never a member id.
Result<QJsonArray> listParticipants(const db::Database &database, const QList<int> &sourceEntities);

} // namespace openaps::api
