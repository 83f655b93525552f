#include "legacy/accounts.h"

#include "db/sqlhelpers.h"

#include <QDateTime>
#include <QRegularExpression>

namespace openaps::legacy {

namespace {

// Naive times of the old portal's host: read as UTC (its zone is not recorded).
QString epochMs(const char *column)
{
    return QStringLiteral("(EXTRACT(EPOCH FROM %1) * 1000)::bigint").arg(QLatin1String(column));
}

std::optional<QString> usableEmail(const QVariant &value)
{
    const QString email = value.toString().trimmed().toLower();
    static const QRegularExpression shape(QStringLiteral("^[^@\\s]+@[^@\\s]+$"));
    if (!shape.match(email).hasMatch())
        return std::nullopt;
    return email;
}

bool isBcrypt(const QString &hash)
{
    static const QRegularExpression shape(QStringLiteral("^\\$2[aby]\\$\\d\\d\\$[./A-Za-z0-9]{53}$"));
    return shape.match(hash).hasMatch();
}

QString scopeName(const QVariant &code)
{
    switch (code.isNull() ? 0 : code.toInt()) {
    case 1:
        return QStringLiteral("nsf");
    case 2:
        return QStringLiteral("all");
    default:
        return QStringLiteral("openaps"); // the old portal's own data commons
    }
}

// NOT NULL text columns, trimmed: an old NULL becomes empty (never a null
// QString, which would bind as NULL).
QString text(const QVariant &value)
{
    const QString trimmed = value.toString().trimmed();
    return trimmed.isNull() ? QStringLiteral("") : trimmed;
}

// The old form's answer to "IRB approval?": yes, no or unsure as this
// system's form asks it, any other text kept as the details.
std::pair<QString, QString> irbAnswer(const QVariant &value)
{
    const QString answer = text(value);
    const QString word = answer.toLower();
    if (word == QLatin1String("yes") || word == QLatin1String("no") || word == QLatin1String("unsure"))
        return { word, QStringLiteral("") };
    return { QStringLiteral(""), answer };
}

QVariant orNull(const QVariant &value, QMetaType type)
{
    return value.isNull() ? QVariant(type) : value;
}

QString badEmail()
{
    return QStringLiteral("no usable email address");
}

QString alreadyHere()
{
    return QStringLiteral("the address already has an account here");
}

// Reads `query` (binding the position) and writes each row with `store` in
// one transaction; the position and counts follow.
Result<TableCounts>
copyTable(const MemberContext &context, const QString &table, const QString &query,
          const std::function<Status(const QSqlDatabase &, const QSqlQuery &, TableCounts &)> &store)
{
    auto after = context.book->position(table);
    if (!after)
        return after.error();
    auto q = sql::exec(context.source, query, { *after }, "reading the old researcher accounts");
    if (!q)
        return q.error();
    TableCounts counts;
    qint64 last = *after;
    const Status s = sql::inTransaction(context.target, [&](const QSqlDatabase &db) -> Status {
        while (q->next()) {
            ++counts.read;
            last = q->value(0).toLongLong();
            if (auto s = store(db, *q, counts); !s)
                return s;
        }
        return Status();
    });
    if (!s)
        return s.error();
    if (auto s = context.book->advance(table, last, counts); !s)
        return s.error();
    if (context.progress)
        context.progress(QStringLiteral("%1: %2 rows read (copied %3, skipped %4, bad %5)")
                                 .arg(table)
                                 .arg(counts.read)
                                 .arg(counts.copied)
                                 .arg(counts.skippedRows())
                                 .arg(counts.badRows()));
    return counts;
}

// The old application's columns, of the researcher_applications row `alias`.
QString applicationColumns(const char *alias)
{
    QStringList columns;
    for (const char *column : { "researcher_name", "sponsor_organisation", "request_description", "phone_number",
                                "irb_approval", "project_requests" })
        columns << QStringLiteral("%1.%2").arg(QLatin1String(alias), QLatin1String(column));
    return columns.join(QLatin1String(", "));
}

// applicationColumns(), from `first` on in the query, as this system's
// application holds them: name, institution (the sponsor, as the old portal
// showed it), purpose, phone, IRB answer and details, sponsor organisation,
// the data commons asked for.
QVariantList applicationValues(const QSqlQuery &q, int first)
{
    const auto [irb, irbDetails] = irbAnswer(q.value(first + 4));
    const QString sponsor = text(q.value(first + 1));
    return { text(q.value(first)),
             sponsor,
             text(q.value(first + 2)),
             text(q.value(first + 3)),
             irb,
             irbDetails,
             sponsor,
             q.value(first + 5).isNull() ? sql::nullText() : QVariant(scopeName(q.value(first + 5))) };
}

// Inserts a researcher unless the address has an account (any spelling):
// `values` are email, the applicationValues(), then the account's own.
Status insertResearcher(const QSqlDatabase &db, const QVariantList &values, TableCounts &counts)
{
    auto q = sql::exec(
            db,
            QStringLiteral("INSERT INTO researchers (email, name, institution, purpose, phone, irb_approval, "
                           "irb_details, sponsor_organisation, requested_scope, password_hash, "
                           "status, scope, is_admin, created_ms, updated_ms, verified_ms, approved_ms, "
                           "legacy_login_count, legacy_last_login_ms, legacy_downloads, legacy_download_mb) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                           "ON CONFLICT DO NOTHING"),
            values, "copying a researcher account");
    if (!q)
        return q.error();
    if (q->numRowsAffected() > 0)
        ++counts.copied;
    else
        counts.skip(alreadyHere());
    return {};
}

} // namespace

Result<TableCounts> copyAccounts(const MemberContext &context)
{
    const QString query =
            QStringLiteral(
                    "SELECT u.id, u.email, u.hashed_pw, u.admin, u.allowed_projects, u.deactivated, %1, %2, "
                    "u.login_count, u.num_downloads, u.total_download_size_mb, u.verified, %3 "
                    "FROM openaps.app_users u LEFT JOIN LATERAL (SELECT * FROM openaps.researcher_applications r "
                    "WHERE lower(r.email) = lower(u.email) ORDER BY r.seq_id DESC LIMIT 1) a ON true "
                    "WHERE u.id > ? ORDER BY u.id")
                    .arg(epochMs("u.created_ts"), epochMs("u.last_signin"), applicationColumns("a"));
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    qint64 withoutPassword = 0;
    auto counts = copyTable(
            context, QStringLiteral("openaps.app_users"), query,
            [&](const QSqlDatabase &db, const QSqlQuery &q, TableCounts &counts) -> Status {
                const auto email = usableEmail(q.value(1));
                if (!email) {
                    counts.fail(badEmail());
                    return {};
                }
                QString hash = q.value(2).toString().trimmed();
                if (!isBcrypt(hash)) {
                    hash = noPasswordHash();
                    ++withoutPassword;
                }
                const qint64 created = q.value(6).isNull() ? now : q.value(6).toLongLong();
                const bool deactivated = q.value(5).toBool();
                const QVariant verifiedMs = q.value(11).toBool() ? QVariant(created)
                                                                 : QVariant(QMetaType::fromType<qint64>());
                if (context.book->dryRun()) {
                    ++counts.copied;
                    return {};
                }
                return insertResearcher(
                        db,
                        QVariantList { *email } + applicationValues(q, 12)
                                + QVariantList { hash,
                                                 deactivated ? QStringLiteral("deactivated")
                                                             : QStringLiteral("approved"),
                                                 scopeName(q.value(4)), q.value(3).toBool(), created, now, verifiedMs,
                                                 created, orNull(q.value(8), QMetaType::fromType<int>()),
                                                 orNull(q.value(7), QMetaType::fromType<qint64>()),
                                                 orNull(q.value(9), QMetaType::fromType<int>()),
                                                 q.value(10).isNull() ? sql::nullReal()
                                                                      : QVariant(q.value(10).toDouble()) },
                        counts);
            });
    if (counts && withoutPassword > 0 && context.progress)
        context.progress(QStringLiteral("openaps.app_users: %1 accounts have no usable old password; their owners "
                                        "get a reset code by email at their first sign-in")
                                 .arg(withoutPassword));
    return counts;
}

Result<TableCounts> copyApplications(const MemberContext &context)
{
    const QString query = QStringLiteral(
                                  "SELECT r.seq_id, r.email, r.application_processed, r.application_granted, %1, %2, "
                                  "EXISTS (SELECT 1 FROM openaps.app_users u WHERE lower(u.email) = lower(r.email)), "
                                  "%3 FROM openaps.researcher_applications r WHERE r.seq_id > ? ORDER BY r.seq_id")
                                  .arg(epochMs("r.inserted_ts"), epochMs("r.processed_date"), applicationColumns("r"));
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    return copyTable(context, QStringLiteral("openaps.researcher_applications"), query,
                     [&](const QSqlDatabase &db, const QSqlQuery &q, TableCounts &counts) -> Status {
                         const auto email = usableEmail(q.value(1));
                         if (!email) {
                             counts.fail(badEmail());
                             return {};
                         }
                         if (q.value(6).toBool()) {
                             counts.skip(QStringLiteral("merged into the researcher's account"));
                             return {};
                         }
                         const bool processed = q.value(2).toBool();
                         if (processed && q.value(3).toBool()) {
                             counts.skip(QStringLiteral("granted, but the account was removed in the old portal"));
                             return {};
                         }
                         if (context.book->dryRun()) {
                             ++counts.copied;
                             return {};
                         }
                         const qint64 created = q.value(4).isNull() ? now : q.value(4).toLongLong();
                         const QVariant none(QMetaType::fromType<qint64>());
                         return insertResearcher(db,
                                                 QVariantList { *email } + applicationValues(q, 7)
                                                         + QVariantList { noPasswordHash(),
                                                                          processed ? QStringLiteral("rejected")
                                                                                    : QStringLiteral("pending"),
                                                                          sql::nullText(), false, created, now, none,
                                                                          none, QVariant(QMetaType::fromType<int>()),
                                                                          none, QVariant(QMetaType::fromType<int>()),
                                                                          sql::nullReal() },
                                                 counts);
                     });
}

} // namespace openaps::legacy
