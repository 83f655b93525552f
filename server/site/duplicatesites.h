#pragma once

#include "core/result.h"
#include "db/database.h"

#include <QList>
#include <QStringList>

namespace openaps::site {

// One Nightscout site that several active members registered: the same
// person's data would reach researchers twice (or two people share a site).
// The participants are told on their page without naming anyone; the
// administrators see the members here (`openaps-server admin duplicate-sites`)
// and as the metric openaps_participants_duplicate_sites.
struct DuplicateSite
{
    QString siteId; // a short hash of the site, never its address
    QStringList memberIds; // Open Humans member ids, first registered first
};

Result<QList<DuplicateSite>> duplicateSites(const db::Database &database);

} // namespace openaps::site
