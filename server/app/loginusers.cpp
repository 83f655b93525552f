#include "app/loginusers.h"

#include "app/serverruntime.h"
#include "db/pgcopy.h"

#include <QFile>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QSqlError>
#include <QSqlQuery>

#include <libpq-fe.h>

namespace openaps::app {

namespace {

const QStringList groupRoles { QStringLiteral("openaps_owner"),  QStringLiteral("openaps_web"),
                               QStringLiteral("openaps_ingest"), QStringLiteral("openaps_etl"),
                               QStringLiteral("openaps_api"),    QStringLiteral("openaps_viewer") };

Result<QString> readPassword(const QString &user)
{
    const QString name = QStringLiteral("OPENAPS_LOGIN_PASSWORD_") + user.toUpper();
    const auto env = QProcessEnvironment::systemEnvironment();
    QString password = env.value(name);
    if (const QString path = env.value(name + QLatin1String("_FILE")); !path.isEmpty()) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return makeError("usage",
                             QStringLiteral("%1_FILE names the file %2, which cannot be read (%3).")
                                     .arg(name, path, file.errorString()));
        password = QString::fromUtf8(file.readAll()).trimmed();
    }
    if (password.size() < 16)
        return makeError("usage",
                         QStringLiteral("--login %1 needs its password (at least 16 characters) in %2 "
                                        "or a file named by %2_FILE.")
                                 .arg(user, name));
    return password;
}

Status exec(QSqlQuery &query, const QString &sql, const QVariantList &values = {})
{
    bool ok = false;
    if (values.isEmpty()) {
        ok = query.exec(sql); // DDL: sent as it is, not prepared
    } else {
        query.prepare(sql);
        for (const QVariant &value : values)
            query.addBindValue(value);
        ok = query.exec();
    }
    if (!ok)
        return db::sqlError("login users", query.lastError());
    return {};
}

QString quoted(const QString &identifier)
{
    return QLatin1Char('"') + identifier + QLatin1Char('"'); // names are [a-z0-9_] (parseLoginUser)
}

Status applyOne(QSqlDatabase &db, PGconn *conn, const LoginUser &user)
{
    QSqlQuery q(db);
    if (auto s = exec(q, QStringLiteral("SELECT rolsuper FROM pg_roles WHERE rolname = ?"), { user.name }); !s)
        return s;
    if (!q.next()) {
        if (auto s = exec(q, QStringLiteral("CREATE ROLE %1 LOGIN").arg(quoted(user.name))); !s)
            return s;
    } else if (q.value(0).toBool()) {
        return makeError("usage",
                         QStringLiteral("The PostgreSQL user %1 is a superuser: give each server "
                                        "process a user of its own.")
                                 .arg(user.name));
    }
    const QByteArray name = user.name.toUtf8();
    char *verifier = PQencryptPasswordConn(conn, user.password.toUtf8().constData(), name.constData(), nullptr);
    if (!verifier)
        return makeError("database",
                         QStringLiteral("libpq could not hash the password of %1: %2")
                                 .arg(user.name, QString::fromUtf8(PQerrorMessage(conn)).trimmed()));
    const QString hashed = QString::fromLatin1(verifier); // SCRAM-SHA-256$... or md5...: no quotes inside
    PQfreemem(verifier);
    if (auto s = exec(q,
                      QStringLiteral("ALTER ROLE %1 WITH LOGIN INHERIT NOCREATEDB NOCREATEROLE PASSWORD '%2'")
                              .arg(quoted(user.name), hashed));
        !s)
        return s;

    // Exactly its groups: grant the missing ones, revoke every other membership.
    if (auto s = exec(q,
                      QStringLiteral("SELECT g.rolname FROM pg_auth_members m "
                                     "JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member "
                                     "WHERE u.rolname = ?"),
                      { user.name });
        !s)
        return s;
    QStringList held;
    while (q.next())
        held.append(q.value(0).toString());
    for (const QString &group : user.groups)
        if (!held.contains(group))
            if (auto s = exec(q, QStringLiteral("GRANT %1 TO %2").arg(quoted(group), quoted(user.name))); !s)
                return s;
    for (const QString &group : std::as_const(held))
        if (!user.groups.contains(group))
            if (auto s = exec(q, QStringLiteral("REVOKE %1 FROM %2").arg(quoted(group), quoted(user.name))); !s)
                return s;

    // What the user ends up with, checked: an attribute or a grant another
    // role made (which REVOKE above cannot take back) would widen it.
    if (auto s = exec(
                q,
                QStringLiteral("SELECT rolcreaterole OR rolcreatedb OR rolreplication OR rolbypassrls, "
                               "(SELECT string_agg(DISTINCT g.rolname, ',' ORDER BY g.rolname) FROM pg_auth_members m "
                               " JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = u.oid) "
                               "FROM pg_roles u WHERE u.rolname = ?"),
                { user.name });
        !s)
        return s;
    q.next();
    QStringList wanted = user.groups;
    wanted.sort();
    if (q.value(0).toBool() || q.value(1).toString() != wanted.join(QLatin1Char(',')))
        return makeError("roles",
                         QStringLiteral("The PostgreSQL user %1 keeps rights beyond %2 (attributes or "
                                        "memberships granted by another role): remove them by hand.")
                                 .arg(user.name, wanted.join(QLatin1String(", "))));
    return {};
}

} // namespace

Result<LoginUser> parseLoginUser(const QString &spec)
{
    static const QRegularExpression validName(QStringLiteral("^[a-z_][a-z0-9_]{0,62}$"));
    const QString name = spec.section(QLatin1Char('='), 0, 0);
    if (!spec.contains(QLatin1Char('=')) || !validName.match(name).hasMatch())
        return makeError("usage",
                         QStringLiteral("--login takes USER=ROLES, e.g. openaps_site=web,api (user "
                                        "names: lower case letters, digits and _)."));
    if (groupRoles.contains(name))
        return makeError("usage", QStringLiteral("--login %1: that is one of the group roles, not a user.").arg(name));
    auto roles = Roles::parse(spec.section(QLatin1Char('='), 1));
    if (!roles)
        return roles.error();
    LoginUser user { name, {}, {} };
    if (roles->web)
        user.groups << QStringLiteral("openaps_web");
    if (roles->ingest)
        user.groups << QStringLiteral("openaps_ingest");
    if (roles->etl)
        user.groups << QStringLiteral("openaps_etl");
    if (roles->api)
        user.groups << QStringLiteral("openaps_api");
    auto password = readPassword(name);
    if (!password)
        return password.error();
    user.password = *password;
    return user;
}

Status applyLoginUsers(const db::Database &database, const QList<LoginUser> &users)
{
    if (!database.isPostgres())
        return makeError("usage", QStringLiteral("--login creates PostgreSQL users; SQLite has none."));
    auto connection = database.connection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = *connection;
    auto conn = pg::nativeHandle(db);
    if (!conn)
        return conn.error();
    QSqlQuery current(db);
    if (!current.exec(QStringLiteral("SELECT current_user")) || !current.next())
        return db::sqlError("login users", current.lastError());
    for (const LoginUser &user : users) {
        if (user.name == current.value(0).toString())
            return makeError("usage",
                             QStringLiteral("--login %1 names the database owner running this "
                                            "migration: give the server processes users of their own.")
                                     .arg(user.name));
        if (!db.transaction())
            return db::sqlError("login users", db.lastError());
        if (auto s = applyOne(db, *conn, user); !s) {
            db.rollback();
            return s;
        }
        if (!db.commit())
            return db::sqlError("login users", db.lastError());
    }
    return {};
}

} // namespace openaps::app
