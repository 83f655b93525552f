#pragma once

#include "core/result.h"
#include "db/database.h"

#include <QStringList>

namespace openaps::app {

// A PostgreSQL LOGIN user for one server process, from
// `migrate --roles --login USER=ROLES`: it holds the group roles of its
// `serve --roles` (web → openaps_web, ...) and nothing else.
struct LoginUser
{
    QString name;
    QStringList groups; // openaps_web, openaps_api, ...
    QString password;
};

// Parses USER=ROLE[,ROLE...] and reads the password from the environment:
// OPENAPS_LOGIN_PASSWORD_<USER> or the file named by ..._FILE (as secrets
// are given to the server itself).
Result<LoginUser> parseLoginUser(const QString &spec);

// Creates or updates each user: LOGIN, no superuser, role or database
// creation rights, a member of exactly its groups. The password goes to the
// server as a SCRAM verifier made by libpq, so the plain text never reaches
// PostgreSQL or its log. Run after applyRoles() by the database owner.
Status applyLoginUsers(const db::Database &database, const QList<LoginUser> &users);

} // namespace openaps::app
