#include "etl/derivedrows.h"

#include "db/sqlhelpers.h"

namespace openaps::etl {

namespace {

// Below SQLite's oldest limit of bound values per statement (999).
constexpr qsizetype maxBinds = 900;

} // namespace

Status insertRows(const QSqlDatabase &db, const QString &table, const QStringList &columns,
                  const QList<QVariantList> &rows, const char *what)
{
    const qsizetype perStatement = std::max<qsizetype>(1, maxBinds / columns.size());
    const QString row = QLatin1Char('(') + QStringList(columns.size(), QStringLiteral("?")).join(QLatin1Char(','))
            + QLatin1Char(')');
    const QString head = QStringLiteral("INSERT INTO %1 (%2) VALUES ").arg(table, columns.join(QStringLiteral(", ")));
    for (qsizetype start = 0; start < rows.size(); start += perStatement) {
        const qsizetype n = std::min(perStatement, rows.size() - start);
        QVariantList binds;
        binds.reserve(n * columns.size());
        for (qsizetype i = start; i < start + n; ++i)
            binds += rows[i];
        if (auto q = sql::exec(db, head + QStringList(n, row).join(QLatin1Char(',')), binds, what); !q)
            return q.error();
    }
    return {};
}

} // namespace openaps::etl
