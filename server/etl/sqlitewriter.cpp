#include "etl/sqlitewriter.h"

#include "records/nstime.h"

#include <QSqlError>
#include <QVariant>

namespace openaps::etl {

namespace {

QString quoted(const char *name)
{
    return QLatin1Char('"') + QLatin1String(name) + QLatin1Char('"');
}

QString placeholders(size_t count)
{
    QStringList marks;
    for (size_t i = 0; i < count; ++i)
        marks << QStringLiteral("?");
    return marks.join(QLatin1String(", "));
}

QVariant toVariant(const Field &f)
{
    switch (f.kind) {
    case Field::Null:
        return {};
    case Field::Real:
        return f.real;
    case Field::Integer:
        return qlonglong(f.integer);
    case Field::Bool:
        return f.boolean ? 1 : 0;
    case Field::Time:
        return records::formatUtcString(f.ms);
    case Field::Text:
    case Field::Json:
        return QString::fromUtf8(f.bytes);
    }
    return {};
}

int columnIndex(const records::TableSpec &table, const QString &name)
{
    for (size_t i = 0; i < table.columns.size(); ++i) {
        if (name == QLatin1String(table.columns[i].name))
            return int(i);
    }
    return -1;
}

// SQLite errors that mean "try later / cannot write", not "bad row".
bool isFatal(const QSqlError &error)
{
    const int code = error.nativeErrorCode().toInt();
    const int primary = code & 0xff;
    return primary == 5 /*BUSY*/ || primary == 6 /*LOCKED*/ || primary == 10 /*IOERR*/
            || primary == 13 /*FULL*/ || primary == 8 /*READONLY*/ || primary == 11 /*CORRUPT*/;
}

} // namespace

SqliteWriter::SqliteWriter(const QSqlDatabase &db, const records::TableSpec &table)
    : m_db(db),
      m_table(table),
      m_metricsTable(records::deviceStatusMetricsTable()),
      m_hasMetrics(&table == &records::deviceStatusTable()),
      m_insert(db),
      m_update(db),
      m_metricsUpsert(db)
{ }

SqliteWriter::~SqliteWriter()
{
    if (m_inTransaction)
        QSqlQuery(m_db).exec(QStringLiteral("ROLLBACK"));
}

Status SqliteWriter::prepare()
{
    const QString name = QLatin1String(m_table.name);
    if (!m_insert.prepare(QStringLiteral("INSERT INTO %1 (%2) VALUES (%3) ON CONFLICT DO NOTHING")
                                  .arg(name, m_table.columnList(), placeholders(m_table.columns.size()))))
        return db::sqlError("preparing the insert", m_insert.lastError());

    if (m_table.onDuplicate == records::TableSpec::OnDuplicate::UpdateIfChanged) {
        QStringList sets;
        for (const records::Column &c : m_table.columns)
            sets << quoted(c.name) + QLatin1String(" = ?");
        QStringList where;
        for (const QString &k : m_table.key)
            where << QLatin1Char('"') + k + QLatin1String("\" = ?");
        if (!m_update.prepare(QStringLiteral("UPDATE %1 SET %2 WHERE %3 AND (raw_json IS NOT ? OR "
                                             "source_entity IS NOT ?)")
                                      .arg(name, sets.join(QLatin1String(", ")), where.join(QLatin1String(" AND ")))))
            return db::sqlError("preparing the update", m_update.lastError());
    }
    if (m_hasMetrics) {
        QStringList sets;
        for (const records::Column &c : m_metricsTable.columns)
            sets << quoted(c.name) + QLatin1String(" = excluded.") + quoted(c.name);
        if (!m_metricsUpsert.prepare(QStringLiteral("INSERT INTO %1 (%2) VALUES (%3) ON CONFLICT (%4) DO UPDATE SET %5")
                                             .arg(QLatin1String(m_metricsTable.name), m_metricsTable.columnList(),
                                                  placeholders(m_metricsTable.columns.size()),
                                                  m_metricsTable.key.join(QLatin1String(", ")),
                                                  sets.join(QLatin1String(", ")))))
            return db::sqlError("preparing the metrics upsert", m_metricsUpsert.lastError());
    }
    return {};
}

Status SqliteWriter::begin()
{
    QSqlQuery q(m_db);
    // IMMEDIATE takes the write lock now, so the batch cannot deadlock on a
    // lock upgrade with another writer (busy timeout applies).
    if (!q.exec(QStringLiteral("BEGIN IMMEDIATE")))
        return db::sqlError("starting a batch", q.lastError());
    m_inTransaction = true;
    m_rowsInTransaction = 0;
    if (auto s = checkGuard(); !s) {
        QSqlQuery(m_db).exec(QStringLiteral("ROLLBACK"));
        m_inTransaction = false;
        return s;
    }
    return {};
}

Status SqliteWriter::add(const Row &row, const Row *metrics, qint64 line)
{
    if (!m_inTransaction) {
        if (auto s = begin(); !s)
            return s;
    }
    for (size_t i = 0; i < row.size(); ++i)
        m_insert.bindValue(int(i), toVariant(row[i]));
    if (!m_insert.exec()) {
        if (isFatal(m_insert.lastError()))
            return db::sqlError("loading rows", m_insert.lastError());
        reject(line, QStringLiteral("rejected by the database"));
        return {};
    }
    bool written = m_insert.numRowsAffected() > 0;
    if (written) {
        ++m_counts.inserted;
    } else if (m_table.onDuplicate == records::TableSpec::OnDuplicate::UpdateIfChanged) {
        int at = 0;
        for (const Field &f : row)
            m_update.bindValue(at++, toVariant(f));
        for (const QString &k : m_table.key)
            m_update.bindValue(at++, toVariant(row[columnIndex(m_table, k)]));
        m_update.bindValue(at++, toVariant(row[m_table.rawJsonColumn]));
        m_update.bindValue(at++, toVariant(row[columnIndex(m_table, QStringLiteral("source_entity"))]));
        if (!m_update.exec())
            return db::sqlError("updating rows", m_update.lastError());
        written = m_update.numRowsAffected() > 0;
        ++(written ? m_counts.updated : m_counts.duplicates);
    } else {
        ++m_counts.duplicates;
    }
    if (written && metrics && m_hasMetrics) {
        for (size_t i = 0; i < metrics->size(); ++i)
            m_metricsUpsert.bindValue(int(i), toVariant((*metrics)[i]));
        if (!m_metricsUpsert.exec())
            return db::sqlError("loading device status metrics", m_metricsUpsert.lastError());
    }
    if (++m_rowsInTransaction >= m_batchRows)
        return flush();
    return {};
}

Status SqliteWriter::flush()
{
    if (!m_inTransaction)
        return {};
    beforeCommit();
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral("COMMIT")))
        return db::sqlError("committing a batch", q.lastError());
    m_inTransaction = false;
    return {};
}

} // namespace openaps::etl
