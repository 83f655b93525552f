#pragma once

#include "api/export/exportparams.h"

#include <QString>
#include <QVariantList>

namespace openaps::api {

// The SQL of one export. Identifiers come from the dataset catalogue only;
// every value (times, member ids, source entities) is bound: as a ? for
// Qt Sql, or, inside PostgreSQL's COPY (which takes no parameters), as a
// transaction-local setting read with current_setting().
class ExportSql
{
public:
    enum class Dialect { Sqlite, Postgres, PostgresCopy };

    ExportSql(const ExportQuery &query, Dialect dialect);

    // SELECT COUNT(*) ... (Sqlite or Postgres dialect) and its values.
    QString countSql() const;
    // The rows, ordered by participant then time (Sqlite dialect: plain columns).
    QString selectSql() const;
    // COPY (SELECT ...) TO STDOUT rendering CSV rows or NDJSON lines
    // (PostgresCopy dialect).
    QString copySql() const;
    // Values for the ? placeholders, in order.
    const QVariantList &values() const { return m_values; }
    // For PostgresCopy: (setting name, value) to set with set_config first.
    const QList<std::pair<QString, QString>> &settings() const { return m_settings; }

private:
    QString bind(const QString &name, const QString &value, const char *pgType);
    QString pgSelectList() const;

    const ExportQuery &m_query;
    Dialect m_dialect;
    QString m_where;
    QVariantList m_values;
    QList<std::pair<QString, QString>> m_settings;
};

} // namespace openaps::api
