#include "schemaseed.h"

#include <QDateTime>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>

namespace openaps::test {

namespace {

struct Column
{
    QString name;
    QString type;
    bool required = false; // NOT NULL or part of the primary key
    bool generated = false; // has a default, or is SQLite's rowid alias
};

QList<Column> columnsOf(QSqlDatabase &db, bool postgres, const QString &table)
{
    QList<Column> columns;
    QSqlQuery q(db);
    if (postgres) {
        q.prepare(QStringLiteral(
                "SELECT c.column_name, c.data_type, c.is_nullable = 'NO', c.column_default IS NOT NULL, "
                "EXISTS (SELECT 1 FROM information_schema.key_column_usage k "
                "        JOIN information_schema.table_constraints t ON t.constraint_name = k.constraint_name "
                "        WHERE t.constraint_type = 'PRIMARY KEY' AND k.table_name = c.table_name "
                "        AND k.column_name = c.column_name) "
                "FROM information_schema.columns c WHERE c.table_name = ? AND c.table_schema = current_schema() "
                "ORDER BY c.ordinal_position"));
        q.addBindValue(table);
        q.exec();
        while (q.next())
            columns.append({ q.value(0).toString(), q.value(1).toString().toLower(),
                             q.value(2).toBool() || q.value(4).toBool(), q.value(3).toBool() });
        return columns;
    }
    q.exec(QStringLiteral("PRAGMA table_info(\"%1\")").arg(table));
    QList<Column> pk;
    while (q.next()) {
        Column c { q.value(1).toString(), q.value(2).toString().toLower(),
                   q.value(3).toBool() || q.value(5).toInt() > 0, !q.value(4).isNull() };
        if (q.value(5).toInt() > 0)
            pk.append(c);
        columns.append(c);
    }
    // INTEGER PRIMARY KEY is the rowid: SQLite fills it.
    if (pk.size() == 1 && pk.first().type == QLatin1String("integer")) {
        for (Column &c : columns) {
            if (c.name == pk.first().name)
                c.generated = true;
        }
    }
    return columns;
}

QVariant madeUpValue(const QString &type, int serial)
{
    if (type.contains(QLatin1String("int")) || type.contains(QLatin1String("serial")))
        return 100000 + serial;
    if (type.contains(QLatin1String("real")) || type.contains(QLatin1String("double"))
        || type.contains(QLatin1String("numeric")) || type.contains(QLatin1String("float")))
        return serial + 0.5;
    if (type.contains(QLatin1String("bool")))
        return true;
    if (type.contains(QLatin1String("timestamp")) || type == QLatin1String("date"))
        return QDateTime::currentDateTimeUtc().addSecs(serial);
    if (type.contains(QLatin1String("json")))
        return QStringLiteral("{\"seed\": %1}").arg(serial);
    return QStringLiteral("seed-%1").arg(serial);
}

} // namespace

bool seedRow(const db::Database &database, const QString &table, const QString &column, const QVariant &value,
             int serial, QString *error)
{
    auto connection = database.connection();
    if (!connection) {
        *error = connection.error().message;
        return false;
    }
    QSqlDatabase db = *connection;
    QStringList names;
    QVariantList values;
    const QList<Column> columns = columnsOf(db, database.isPostgres(), table);
    for (const Column &c : columns) {
        if (c.name == column) {
            names.append(c.name);
            values.append(value);
        } else if (c.required && !c.generated) {
            names.append(c.name);
            values.append(madeUpValue(c.type, serial));
        }
    }
    QStringList quotedNames;
    for (const QString &n : std::as_const(names))
        quotedNames.append(db.driver()->escapeIdentifier(n, QSqlDriver::FieldName));
    QSqlQuery q(db);
    q.prepare(QStringLiteral("INSERT INTO %1 (%2) VALUES (%3)")
                      .arg(db.driver()->escapeIdentifier(table, QSqlDriver::TableName),
                           quotedNames.join(QLatin1String(", ")),
                           QStringList(names.size(), QStringLiteral("?")).join(QLatin1String(", "))));
    for (const QVariant &v : std::as_const(values))
        q.addBindValue(v);
    if (!q.exec()) {
        *error = table + QLatin1String(": ") + q.lastError().text();
        return false;
    }
    return true;
}

qint64 countRows(const db::Database &database, const QString &table, const QString &column, const QVariant &value)
{
    auto connection = database.connection();
    if (!connection) {
        qWarning("countRows: %s", qPrintable(connection.error().message));
        return -1;
    }
    QSqlQuery q(*connection);
    q.prepare(QStringLiteral("SELECT COUNT(*) FROM %1 WHERE %2 = ?")
                      .arg(connection->driver()->escapeIdentifier(table, QSqlDriver::TableName),
                           connection->driver()->escapeIdentifier(column, QSqlDriver::FieldName)));
    q.addBindValue(value);
    if (!q.exec() || !q.next()) {
        qWarning("countRows: %s", qPrintable(q.lastError().text()));
        return -1;
    }
    return q.value(0).toLongLong();
}

} // namespace openaps::test
