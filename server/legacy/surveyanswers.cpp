#include "legacy/surveyanswers.h"

#include "db/sqlhelpers.h"
#include "survey/demographics.h"

#include <QDate>
#include <QDateTime>
#include <QRegularExpression>
#include <QSqlRecord>

namespace openaps::legacy {

namespace {

constexpr int batchRows = 1000;

// Old column → the survey import's column.
QString oldColumn(const QString &column)
{
    if (column == QLatin1String("user_id"))
        return QStringLiteral("project_member_id");
    if (column == QLatin1String("birth_year"))
        return QStringLiteral("date_of_birth");
    if (column == QLatin1String("diagnosis_year"))
        return QStringLiteral("first_diagnosed_date");
    return column;
}

// The text a form's cell would hold.
QString cellText(const QVariant &value)
{
    if (value.isNull())
        return QString();
    switch (value.metaType().id()) {
    case QMetaType::QDateTime:
        return value.toDateTime().toString(Qt::ISODate);
    case QMetaType::QDate:
        return value.toDate().toString(Qt::ISODate);
    default:
        return value.toString();
    }
}

} // namespace

Result<TableCounts> copySurveyAnswers(const MemberContext &context, MemberDirectory &directory)
{
    const QString table = QStringLiteral("openaps.member_demographics");
    const QStringList columns = survey::surveyColumnNames();
    QStringList selected { QStringLiteral("seq_id"), QStringLiteral("google_sheets_source") };
    for (const QString &column : columns)
        selected << oldColumn(column);
    const QString query = QStringLiteral("SELECT %1 FROM openaps.member_demographics WHERE seq_id > ? "
                                         "ORDER BY seq_id LIMIT %2")
                                  .arg(selected.join(QLatin1String(", ")))
                                  .arg(batchRows);
    static const QRegularExpression rowPrefix(QStringLiteral("^row \\d+: "));
    TableCounts total;
    auto after = context.book->position(table);
    if (!after)
        return after.error();
    qint64 last = *after;
    while (true) {
        auto q = sql::exec(context.source, query, { last }, "reading the old survey answers");
        if (!q)
            return q.error();
        QList<survey::SurveyAnswer> answers;
        TableCounts batch;
        while (q->next()) {
            last = q->value(0).toLongLong();
            const bool nightscout = q->value(1).toString().trimmed().toLower() == QLatin1String("nightscout");
            survey::SurveyAnswer answer { nightscout ? survey::Survey::Nightscout : survey::Survey::OpenAps, {}, last };
            for (int c = 0; c < columns.size(); ++c)
                answer.values << cellText(q->value(c + 2));
            answers << answer;
        }
        if (answers.isEmpty())
            break;
        batch.read = answers.size();
        if (context.book->dryRun()) {
            for (const survey::SurveyAnswer &answer : std::as_const(answers)) {
                const QString member = privacy::ParticipantKeys::canonicalMemberId(answer.values.value(1));
                if (directory.find(member.toLongLong()))
                    ++batch.copied;
                else
                    batch.skip(QStringLiteral("member does not share, left or was erased"));
            }
        } else {
            auto report = survey::importSurveyAnswers(context.target, context.keys, answers);
            if (!report)
                return report.error();
            batch.copied = report->written;
            batch.skip(QStringLiteral("already migrated, or a repeat of an answer in the old table"),
                       report->unchanged);
            batch.skip(QStringLiteral("member does not share, left or was erased"), report->notSharing);
            for (QString problem : std::as_const(report->problems))
                batch.fail(problem.remove(rowPrefix));
            for (auto it = batch.skipped.begin(); it != batch.skipped.end();)
                it = it.value() == 0 ? batch.skipped.erase(it) : std::next(it);
        }
        if (auto s = context.book->advance(table, last, batch); !s)
            return s.error();
        total += batch;
        if (context.progress)
            context.progress(QStringLiteral("%1: %2 rows read (copied %3, skipped %4, bad %5)")
                                     .arg(table)
                                     .arg(total.read)
                                     .arg(total.copied)
                                     .arg(total.skippedRows())
                                     .arg(total.badRows()));
    }
    return total;
}

} // namespace openaps::legacy
