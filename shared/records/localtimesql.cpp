#include "records/localtimesql.h"

namespace openaps::records {

LocalTimeSql LocalTimeSql::forBackend(bool postgres)
{
    if (postgres)
        return {
            QStringLiteral(
                    "(EXTRACT(HOUR FROM (%1 AT TIME ZONE 'UTC') + make_interval(mins => COALESCE(utc_offset, 0)))::int * 60"
                    " + EXTRACT(MINUTE FROM (%1 AT TIME ZONE 'UTC') + make_interval(mins => COALESCE(utc_offset, 0)))::int)"),
            QStringLiteral("((%1 AT TIME ZONE 'UTC') + make_interval(mins => COALESCE(utc_offset, 0)))::date"),
            QStringLiteral("lpad((%1 / 4)::text, 2, '0') || ':' || lpad(((%1 % 4) * 15)::text, 2, '0')")
        };
    return { QStringLiteral("(CAST(strftime('%H', %1, COALESCE(utc_offset, 0) || ' minutes') AS INTEGER) * 60"
                            " + CAST(strftime('%M', %1, COALESCE(utc_offset, 0) || ' minutes') AS INTEGER))"),
             QStringLiteral("date(%1, COALESCE(utc_offset, 0) || ' minutes')"),
             QStringLiteral("substr('0' || (%1 / 4), -2, 2) || ':' || substr('0' || ((%1 % 4) * 15), -2, 2)") };
}

} // namespace openaps::records
