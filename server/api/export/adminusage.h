#pragma once

#include "api/researcher.h"
#include "db/database.h"

#include <QHttpServerResponse>
#include <QUrlQuery>

// What administrators see of the researchers' downloads (README, "Researcher
// API (data export)"); run on a worker of ExportApi. Others get 403.
namespace openaps::api {

// GET /api/v1/admin/downloads?limit=&offset=&researcher=&dataset=&from=&to=
QHttpServerResponse downloadsResponse(const db::Database &database, const QUrlQuery &query,
                                      const Researcher &researcher);
// GET /api/v1/admin/usage?from=&to=
QHttpServerResponse usageResponse(const db::Database &database, const QUrlQuery &query, const Researcher &researcher);

} // namespace openaps::api
