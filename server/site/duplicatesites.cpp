#include "site/duplicatesites.h"

#include "db/sqlhelpers.h"

#include <QCryptographicHash>

namespace openaps::site {

Result<QList<DuplicateSite>> duplicateSites(const db::Database &database)
{
    auto q = sql::exec(database,
                       QStringLiteral("SELECT p.nightscout_site, p.member_id FROM participants p "
                                      "WHERE p.deauthorized_at IS NULL AND p.nightscout_site IN ("
                                      " SELECT nightscout_site FROM participants WHERE deauthorized_at IS NULL"
                                      " AND nightscout_site IS NOT NULL GROUP BY nightscout_site HAVING COUNT(*) > 1) "
                                      "ORDER BY p.nightscout_site, p.registered_at, p.id"),
                       {}, "listing Nightscout sites registered twice");
    if (!q)
        return q.error();
    QList<DuplicateSite> sites;
    QString current;
    while (q->next()) {
        const QString site = q->value(0).toString();
        if (sites.isEmpty() || site != current) {
            current = site;
            const QByteArray hash = QCryptographicHash::hash(site.toUtf8(), QCryptographicHash::Sha256);
            sites.append({ QString::fromLatin1(hash.toHex().left(12)), {} });
        }
        sites.last().memberIds.append(q->value(1).toString());
    }
    return sites;
}

} // namespace openaps::site
