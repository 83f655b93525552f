#include "api/export/exportsql.h"

#include "api/researcher.h"

#include <QStringList>

#include <algorithm>

namespace openaps::api {

namespace {

QString quoted(const QString &identifier)
{
    return QLatin1Char('"') + identifier + QLatin1Char('"');
}

template <typename T> QString listText(const QList<T> &values, QLatin1Char open, QLatin1Char close)
{
    QStringList parts;
    for (const T &v : values)
        parts << QString::number(v);
    return open + parts.join(QLatin1Char(',')) + close;
}

bool hasColumn(const Dataset &d, const QString &name)
{
    return std::any_of(d.columns.cbegin(), d.columns.cend(), [&name](const ExportColumn &c) { return c.name == name; });
}

bool isDateColumn(const Dataset &d, const QString &name)
{
    return std::any_of(d.columns.cbegin(), d.columns.cend(),
                       [&name](const ExportColumn &c) { return c.name == name && c.type == ExportType::Date; });
}

} // namespace

ExportSql::ExportSql(const ExportQuery &query, Dialect dialect) : m_query(query), m_dialect(dialect)
{
    const Dataset &d = *query.dataset;
    const ExportParams &p = query.params;
    QStringList where;
    const bool sqlite = dialect == Dialect::Sqlite;
    const QString scope = sqlite ? listText(query.sourceEntities, QLatin1Char('['), QLatin1Char(']'))
                                 : listText(query.sourceEntities, QLatin1Char('{'), QLatin1Char('}'));
    if (d.hasSourceEntity) {
        where << QStringLiteral("t.source_entity %1").arg(bind(QStringLiteral("scope"), scope, "int[]"));
    } else {
        // One EXISTS per table (each has an index led by user_id); the
        // scope value is bound once per table.
        QStringList exists;
        for (const char *table : consentTables) {
            exists << QStringLiteral("EXISTS (SELECT 1 FROM %1 r WHERE r.user_id = t.%2 AND r.source_entity %3)")
                              .arg(QLatin1String(table), d.participantColumn,
                                   bind(QStringLiteral("scope"), scope, "int[]"));
        }
        where << QLatin1Char('(') + exists.join(QLatin1String(" OR ")) + QLatin1Char(')');
    }
    // A day (a date column) is in when it lies from `from`'s day to the day
    // of the last instant before `to`.
    const bool dates = isDateColumn(d, d.timeColumn);
    if (p.from)
        where << QStringLiteral("t.%1 >= %2")
                         .arg(quoted(d.timeColumn),
                              dates ? bind(QStringLiteral("from"), p.from->toUTC().date().toString(Qt::ISODate), "date")
                                    : bind(QStringLiteral("from"), formatApiTime(*p.from), "timestamptz"));
    if (p.to)
        where << (dates ? QStringLiteral("t.%1 <= %2")
                                  .arg(quoted(d.timeColumn),
                                       bind(QStringLiteral("to"),
                                            p.to->toUTC().addMSecs(-1).date().toString(Qt::ISODate), "date"))
                        : QStringLiteral("t.%1 < %2")
                                  .arg(quoted(d.timeColumn),
                                       bind(QStringLiteral("to"), formatApiTime(*p.to), "timestamptz")));
    if (!p.participants.isEmpty()) {
        const QString ids = sqlite ? listText(p.participants, QLatin1Char('['), QLatin1Char(']'))
                                   : listText(p.participants, QLatin1Char('{'), QLatin1Char('}'));
        where << QStringLiteral("t.%1 %2").arg(quoted(d.participantColumn),
                                               bind(QStringLiteral("participants"), ids, "bigint[]"));
    }
    m_where = where.join(QLatin1String(" AND "));
}

// A membership test or comparison operand for `value`: a JSON array
// walked by json_each on SQLite, an array on PostgreSQL.
QString ExportSql::bind(const QString &name, const QString &value, const char *pgType)
{
    const bool isList = QLatin1String(pgType).endsWith(QLatin1String("[]"));
    switch (m_dialect) {
    case Dialect::Sqlite:
        m_values << value;
        return isList ? QStringLiteral("IN (SELECT value FROM json_each(?))") : QStringLiteral("?");
    case Dialect::Postgres: {
        m_values << value;
        const QString cast = QStringLiteral("CAST(? AS %1)").arg(QLatin1String(pgType));
        return isList ? QStringLiteral("= ANY (%1)").arg(cast) : cast;
    }
    case Dialect::PostgresCopy: {
        const QString setting = QStringLiteral("openaps.export_") + name;
        if (std::none_of(m_settings.cbegin(), m_settings.cend(),
                         [&setting](const auto &s) { return s.first == setting; }))
            m_settings.append({ setting, value });
        const QString cast = QStringLiteral("CAST(current_setting('%1') AS %2)").arg(setting, QLatin1String(pgType));
        return isList ? QStringLiteral("= ANY (%1)").arg(cast) : cast;
    }
    }
    return {};
}

QString ExportSql::countSql() const
{
    return QStringLiteral("SELECT COUNT(*) FROM %1 t WHERE %2").arg(quoted(m_query.dataset->name), m_where);
}

namespace {

QString orderBy(const Dataset &d)
{
    QString time = d.timeColumn;
    if (time.isEmpty() && hasColumn(d, QStringLiteral("ts"))) // the survey's answers
        time = QStringLiteral("ts");
    QStringList order { QStringLiteral("t.") + quoted(d.participantColumn) };
    if (!time.isEmpty())
        order << QStringLiteral("t.%1 NULLS LAST").arg(quoted(time));
    order << QStringLiteral("t.") + quoted(d.tieBreak);
    return order.join(QLatin1String(", "));
}

} // namespace

QString ExportSql::selectSql() const
{
    QStringList columns;
    for (const ExportColumn &c : m_query.dataset->columns)
        columns << QStringLiteral("t.") + quoted(c.name);
    return QStringLiteral("SELECT %1 FROM %2 t WHERE %3 ORDER BY %4")
            .arg(columns.join(QLatin1String(", ")), quoted(m_query.dataset->name), m_where, orderBy(*m_query.dataset));
}

// Rendered by PostgreSQL itself as the SQLite path renders them (RowEncoder):
// times ISO-8601 UTC with milliseconds, dates YYYY-MM-DD, booleans
// true/false; in CSV, JSON as its text.
QString ExportSql::pgSelectList() const
{
    const bool csv = m_query.params.format == ExportFormat::Csv;
    QStringList columns;
    for (const ExportColumn &c : m_query.dataset->columns) {
        const QString col = QStringLiteral("t.") + quoted(c.name);
        QString expr = col;
        switch (c.type) {
        case ExportType::Timestamp:
            expr = QStringLiteral("to_char(%1 AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')").arg(col);
            break;
        case ExportType::Date:
            expr = QStringLiteral("to_char(%1, 'YYYY-MM-DD')").arg(col);
            break;
        case ExportType::Boolean:
            if (csv)
                expr = col + QStringLiteral("::text");
            break;
        case ExportType::Json:
        case ExportType::Text:
            if (csv && c.type == ExportType::Json)
                expr = col + QStringLiteral("::text");
            // As RowEncoder's looksLikeFormula: chr(39) is the quote, 9 TAB, 13 CR.
            if (csv && m_query.params.spreadsheetSafe)
                expr = QStringLiteral("CASE WHEN substr(%1, 1, 1) IN ('=', '+', '-', '@', chr(9), chr(13)) "
                                      "THEN chr(39) || %1 ELSE %1 END")
                               .arg(expr);
            break;
        default:
            break;
        }
        columns << expr + QStringLiteral(" AS ") + quoted(c.name);
    }
    return columns.join(QLatin1String(", "));
}

QString ExportSql::copySql() const
{
    const QString select = QStringLiteral("SELECT %1 FROM %2 t WHERE %3 ORDER BY %4")
                                   .arg(pgSelectList(), quoted(m_query.dataset->name), m_where,
                                        orderBy(*m_query.dataset));
    if (m_query.params.format == ExportFormat::Csv)
        return QStringLiteral("COPY (%1) TO STDOUT WITH (FORMAT csv)").arg(select);
    // One JSON object per line, verbatim: CSV format with a delimiter and a
    // quote that JSON text never holds raw (it escapes control characters),
    // so COPY neither quotes nor escapes anything (text format would double
    // every backslash).
    return QStringLiteral("COPY (SELECT row_to_json(x) FROM (%1) x) TO STDOUT "
                          "WITH (FORMAT csv, DELIMITER E'\\x01', QUOTE E'\\x02')")
            .arg(select);
}

} // namespace openaps::api
