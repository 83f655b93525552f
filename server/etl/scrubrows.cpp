#include "etl/scrubrows.h"

#include "db/sqlhelpers.h"
#include "etl/analytics.h"
#include "privacy/recordscrub.h"
#include "records/researchtables.h"
#include "survey/demographics.h"
#include "survey/demographicstable.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlRecord>

#include <functional>

namespace openaps::etl {

namespace {

constexpr int batchRows = 2000;

// A typed column and what it keeps; a null result stores NULL.
struct ColumnRule
{
    const char *column;
    std::function<QString(const QString &)> scrub;
};

struct TableRules
{
    records::DataType type;
    std::vector<ColumnRule> columns;
};

std::vector<TableRules> rulesFor(const privacy::RecordScrubber &scrubber)
{
    const auto drop = [](const QString &) { return QString(); };
    const auto family = [](const QString &v) { return privacy::sourceFamily(v); };
    return {
        { records::DataType::Entries, { { "device", family } } },
        { records::DataType::Treatments,
          { { "entered_by", family },
            { "reason", [](const QString &v) { return privacy::treatmentReason(v); } },
            { "notes", drop },
            { "food_type", drop } } },
        { records::DataType::DeviceStatus,
          { { "device", family },
            { "pump_id", drop },
            { "loop_failure_reason", [](const QString &v) { return privacy::failureCode(v); } } } },
        { records::DataType::Profile,
          { { "default_profile", [&scrubber](const QString &v) { return scrubber.profileName(v); } } } },
    };
}

// One batch of `rules`' table after seq_id `after`; the last seq_id seen, or
// -1 when the table is done.
Result<qint64> scrubBatch(const db::Database &database, const TableRules &rules,
                          const privacy::RecordScrubber &scrubber, qint64 after, qint64 &changed)
{
    const records::TableSpec &spec = records::tableFor(rules.type);
    QStringList columns { QStringLiteral("seq_id"), QStringLiteral("raw_json") };
    QStringList assignments { QStringLiteral("raw_json = %1")
                                      .arg(database.isPostgres() ? QStringLiteral("CAST(? AS jsonb)")
                                                                 : QStringLiteral("?")) };
    for (const ColumnRule &rule : rules.columns) {
        columns << QLatin1String(rule.column);
        assignments << QStringLiteral("%1 = ?").arg(QLatin1String(rule.column));
    }
    qint64 last = -1;
    const Status s = sql::inTransaction(database, [&](const QSqlDatabase &db) -> Status {
        auto rows = sql::exec(db,
                              QStringLiteral("SELECT %1 FROM %2 WHERE seq_id > ? ORDER BY seq_id LIMIT %3")
                                      .arg(columns.join(QLatin1String(", ")), QLatin1String(spec.name))
                                      .arg(batchRows),
                              { after }, "reading rows to scrub");
        if (!rows)
            return rows.error();
        std::vector<std::pair<qint64, QVariantList>> updates;
        while (rows->next()) {
            last = rows->value(0).toLongLong();
            bool differs = false;
            QVariantList values;
            const QVariant raw = rows->value(1);
            if (raw.isNull()) {
                values << raw;
            } else {
                QJsonObject document = QJsonDocument::fromJson(raw.toString().toUtf8()).object();
                differs |= scrubber.scrub(rules.type, document);
                values << QString::fromUtf8(QJsonDocument(document).toJson(QJsonDocument::Compact));
            }
            for (size_t i = 0; i < rules.columns.size(); ++i) {
                const QVariant before = rows->value(int(i) + 2);
                if (before.isNull()) {
                    values << sql::nullText();
                    continue;
                }
                const QString after = rules.columns[i].scrub(before.toString());
                differs |= after != before.toString();
                values << (after.isNull() ? sql::nullText() : QVariant(after));
            }
            if (differs)
                updates.emplace_back(last, values);
        }
        rows->finish();
        const QString update = QStringLiteral("UPDATE %1 SET %2 WHERE seq_id = ?")
                                       .arg(QLatin1String(spec.name), assignments.join(QLatin1String(", ")));
        for (auto &[seqId, values] : updates) {
            values << seqId;
            if (auto q = sql::exec(db, update, values, "scrubbing a stored row"); !q)
                return q.error();
            ++changed;
        }
        return {};
    });
    if (!s)
        return s.error();
    return last;
}

Status recordRewrite(const QSqlDatabase &db, const char *name)
{
    auto q = sql::exec(db,
                       QStringLiteral("INSERT INTO data_rewrites (name, done_at) SELECT ?, CURRENT_TIMESTAMP "
                                      "WHERE NOT EXISTS (SELECT 1 FROM data_rewrites WHERE name = ?)"),
                       { QLatin1String(name), QLatin1String(name) }, "recording a rewrite");
    return q ? Status() : Status(q.error());
}

} // namespace

Result<bool> rewritePending(const db::Database &database, const char *name)
{
    auto q = sql::exec(database, QStringLiteral("SELECT 1 FROM data_rewrites WHERE name = ?"), { QLatin1String(name) },
                       "looking for pending rewrites");
    if (!q)
        return q.error();
    return !q->next();
}

Result<qint64> scrubStoredRows(const db::Database &database, const privacy::ParticipantKeys &keys)
{
    const privacy::RecordScrubber scrubber([&keys](const QString &name) { return keys.profileName(name); });
    qint64 changed = 0;
    for (const TableRules &rules : rulesFor(scrubber)) {
        for (qint64 after = 0; after >= 0;) {
            auto last = scrubBatch(database, rules, scrubber, after, changed);
            if (!last)
                return last.error();
            after = *last;
        }
    }
    const Status done = sql::inTransaction(database, [&](const QSqlDatabase &db) -> Status {
        if (auto s = rebuildDeviceGroups(db); !s)
            return s;
        return recordRewrite(db, scrubRewrite);
    });
    if (!done)
        return done.error();
    return changed;
}

Result<qint64> scrubStoredSurveyAnswers(const db::Database &database, const privacy::ParticipantKeys &keys)
{
    const std::vector<survey::TypedColumn> typed = survey::typedColumns();
    QStringList columns { QStringLiteral("seq_id") };
    QStringList assignments;
    for (const survey::TypedColumn &c : typed) {
        columns << QLatin1String(c.column);
        assignments << QStringLiteral("%1 = ?").arg(QLatin1String(c.column));
    }
    qint64 changed = 0;
    // Hundreds of answers: one transaction.
    const Status s = sql::inTransaction(database, [&](const QSqlDatabase &db) -> Status {
        auto rows = sql::exec(db,
                              QStringLiteral("SELECT %1 FROM member_demographics ORDER BY seq_id")
                                      .arg(columns.join(QLatin1String(", "))),
                              {}, "reading survey answers to scrub");
        if (!rows)
            return rows.error();
        std::vector<QVariantList> updates;
        while (rows->next()) {
            bool differs = false;
            QVariantList values;
            for (size_t i = 0; i < typed.size(); ++i) {
                const QVariant before = rows->value(int(i) + 1);
                const QString kept = before.isNull() ? QString() : typed[i].scrub(before.toString());
                differs |= !before.isNull() && kept != before.toString();
                values << (kept.isEmpty() ? sql::nullText() : QVariant(kept));
            }
            if (differs)
                updates.push_back(values << rows->value(0));
        }
        rows->finish();
        const QString update = QStringLiteral("UPDATE member_demographics SET %1 WHERE seq_id = ?")
                                       .arg(assignments.join(QLatin1String(", ")));
        for (const QVariantList &values : updates) {
            if (auto q = sql::exec(db, update, values, "scrubbing a stored survey answer"); !q)
                return q.error();
            ++changed;
        }
        return recordRewrite(db, surveyScrubRewrite);
    });
    if (!s)
        return s.error();
    // What analytics_demographics derived from the answers as they were.
    if (auto refreshed = survey::refreshDemographics(database, keys, QDate::currentDate()); !refreshed)
        return refreshed.error();
    return changed;
}

} // namespace openaps::etl
