#pragma once

#include "core/result.h"

#include <QList>
#include <QString>

namespace openaps::api {

// Which consent groups' rows a researcher may download. The ETL stamps each
// research row with source_entity: openaps=0, nsf=1, both=2 (README, "ETL and research database").
enum class AccessScope {
    OpenAps, // source_entity 0 or 2
    Nsf, // source_entity 1 or 2
    All, // 0, 1 or 2
};

QString scopeName(AccessScope scope);
Result<AccessScope> parseScope(const QString &name);
// The source_entity values a scope allows, for an SQL IN list.
QList<int> allowedSourceEntities(AccessScope scope);
// The research tables that carry each member's consent as source_entity;
// rows of other tables (the survey's) are in scope when their participant
// has a row in scope in one of these.
inline constexpr const char *consentTables[] = { "entries", "treatments", "device_status", "profile" };

// A signed-in, approved researcher: what the API knows about the bearer of
// a valid token.
struct Researcher
{
    qint64 id = 0;
    QString email;
    QString name;
    QString institution;
    AccessScope scope = AccessScope::OpenAps;
    bool isAdmin = false;
};

} // namespace openaps::api
