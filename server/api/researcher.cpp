#include "api/researcher.h"

namespace openaps::api {

QString scopeName(AccessScope scope)
{
    switch (scope) {
    case AccessScope::OpenAps:
        return QStringLiteral("openaps");
    case AccessScope::Nsf:
        return QStringLiteral("nsf");
    case AccessScope::All:
        return QStringLiteral("all");
    }
    return {};
}

Result<AccessScope> parseScope(const QString &name)
{
    for (AccessScope scope : { AccessScope::OpenAps, AccessScope::Nsf, AccessScope::All }) {
        if (name == scopeName(scope))
            return scope;
    }
    return makeError("bad-request", QStringLiteral("The scope must be openaps, nsf or all (got '%1').").arg(name));
}

QList<int> allowedSourceEntities(AccessScope scope)
{
    switch (scope) {
    case AccessScope::OpenAps:
        return { 0, 2 };
    case AccessScope::Nsf:
        return { 1, 2 };
    case AccessScope::All:
        return { 0, 1, 2 };
    }
    return {};
}

} // namespace openaps::api
