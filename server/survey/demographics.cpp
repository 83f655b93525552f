#include "survey/demographics.h"

#include "core/csv.h"
#include "core/httpcall.h"
#include "db/sqlhelpers.h"
#include "privacy/tombstones.h"
#include "survey/answerscrub.h"
#include "survey/demographicstable.h"
#include "survey/surveylog.h"

#include <QDateTime>
#include <QHash>
#include <QRegularExpression>

namespace openaps::survey {

namespace {

// Typed: text a participant could type, kept only as `scrub` gives it back
// (answerscrub.h).
enum class Kind { Timestamp, MemberId, Date, Year, Typed, Number };

struct SurveyColumn
{
    const char *column = nullptr;
    Kind kind = Kind::Typed;
    const char *openapsHeader = nullptr;
    const char *nightscoutHeader = nullptr;
    QString (*scrub)(const QString &typed) = nullptr; // Typed columns only
};

// The forms' questions, as the old system read them.
const SurveyColumn surveyColumns[] = {
    { "ts", Kind::Timestamp, "Timestamp", "Timestamp" },
    { "user_id", Kind::MemberId, "Your OpenHumans OpenAPS Data Commons \"project member ID\"",
      "Your Nightscout Data Commons \"project member ID\"" },
    { "birth_year", Kind::Year, "When were you born?", "Year of birth" },
    { "gender", Kind::Typed, "Gender", "Gender", genderAnswer },
    { "ethnicity", Kind::Typed, "Ethnicity origin:", "Race/Ethnicity", ethnicityAnswer },
    { "country", Kind::Typed, "What country do you live in?", "Country of residence?", countryAnswer },
    { "diagnosis_year", Kind::Year, "When were you diagnosed with diabetes?", "Diagnosis date of diabetes:" },
    { "first_insulin_pump_date", Kind::Date, "When did you first go on an insulin pump?",
      "When did you/your child first go on an insulin pump?" },
    { "first_glucose_monitor_date", Kind::Date, "When did you first go on a continuous glucose monitor (CGM)?",
      "When did you first go on a continuous glucose monitor (CGM)?" },
    { "first_diy_closed_loop_date", Kind::Date, "When did you first start using a DIY closed loop?",
      "When did you first start using a DIY closed loop?" },
    { "diy_closed_loop_type", Kind::Typed,
      "What type of DIY close loop technology do you use? Select all that you actively use:",
      "What type of DIY close loop technology do you use? Select all that you actively use:", loopSystemsAnswer },
    { "who_uses_the_closed_loop_system", Kind::Typed,
      "Do you yourself have diabetes, or are you filling out this form for a child/loved one who has diabetes?",
      "Please describe your relationship to the individual who is donating their data:", relationshipAnswer },
    { "weight", Kind::Typed, "How much do you weigh?", "How much do you weigh?", measurementAnswer },
    { "height", Kind::Typed, "How tall are you?", "How tall are you?", measurementAnswer },
    { "insulin_units_per_day", Kind::Number, "How many units of insulin do you take per day?",
      "How many units of insulin do you take per day?" },
    { "basal_insulin_units_per_day", Kind::Number, "How many units of basal insulin do you take per day, on average?",
      "How many units of basal insulin do you take per day, on average?" },
    { "carb_grams_per_day", Kind::Number, "On average, how many grams of carbohydrates do you eat in a day?",
      "On average, how many grams of carbohydrates do you eat in a day?" },
    { "last_lab_reported_a1c", Kind::Number, "What was your last lab-reported A1C?",
      "What was your last lab-reported A1C?" },
    { "last_lab_reported_a1c_date", Kind::Date, "When was your last lab-reported A1C?",
      "When was your last lab-reported A1C?" },
};

QString normaliseHeader(QString h)
{
    h.replace(QChar(0x201C), QLatin1Char('"')).replace(QChar(0x201D), QLatin1Char('"'));
    h.replace(QChar(0x2019), QLatin1Char('\''));
    return h.simplified().toLower();
}

QVariant timestampValue(const QString &text)
{
    const QString t = text.trimmed();
    QDateTime dt = QDateTime::fromString(t, QStringLiteral("M/d/yyyy H:mm:ss"));
    if (!dt.isValid())
        dt = QDateTime::fromString(t, Qt::ISODate);
    if (!dt.isValid())
        return {};
    dt.setTimeSpec(Qt::UTC);
    return dt.toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzzZ"));
}

QVariant dateValue(const QString &text)
{
    const QString t = text.trimmed();
    QDate d = QDate::fromString(t, Qt::ISODate);
    if (!d.isValid())
        d = QDate::fromString(t, QStringLiteral("M/d/yyyy"));
    if (!d.isValid() && t.size() == 4)
        d = QDate::fromString(t + QStringLiteral("-01-01"), Qt::ISODate);
    if (!d.isValid() || d.year() < 1900)
        return sql::nullText();
    return d.toString(Qt::ISODate);
}

// Birth and diagnosis: the year only, never the full date.
QVariant yearValue(const QString &text)
{
    const QVariant date = dateValue(text);
    if (date.isNull())
        return QVariant(QMetaType::fromType<int>());
    return QDate::fromString(date.toString(), Qt::ISODate).year();
}

QVariant numberValue(const QString &text)
{
    static const QRegularExpression numberPattern(QStringLiteral(R"(\d+(?:[.,]\d+)?)"));
    auto matches = numberPattern.globalMatch(text);
    if (!matches.hasNext())
        return sql::nullReal();
    QString first = matches.next().captured(0);
    if (matches.hasNext())
        return sql::nullReal(); // "30-40", "5 or 6": no single answer
    bool ok = false;
    const double v = first.replace(QLatin1Char(','), QLatin1Char('.')).toDouble(&ok);
    return ok ? QVariant(v) : sql::nullReal();
}

QString upsertSql(bool postgres)
{
    QStringList names;
    QStringList marks;
    QStringList sets;
    QStringList mine;
    QStringList theirs;
    for (const SurveyColumn &c : surveyColumns) {
        const QString name = QLatin1String(c.column);
        names << name;
        marks << QStringLiteral("?");
        if (name == QLatin1String("ts") || name == QLatin1String("user_id"))
            continue;
        sets << name + QLatin1String(" = excluded.") + name;
        mine << QLatin1String("member_demographics.") + name;
        theirs << QLatin1String("excluded.") + name;
    }
    names << QStringLiteral("survey") << QStringLiteral("updated_ts");
    marks << QStringLiteral("?") << QStringLiteral("?");
    sets << QStringLiteral("survey = excluded.survey") << QStringLiteral("updated_ts = excluded.updated_ts");
    mine << QStringLiteral("member_demographics.survey");
    theirs << QStringLiteral("excluded.survey");
    QString changed;
    if (postgres) {
        changed = QStringLiteral("(%1) IS DISTINCT FROM (%2)")
                          .arg(mine.join(QLatin1String(", ")), theirs.join(QLatin1String(", ")));
    } else {
        QStringList parts;
        for (int i = 0; i < mine.size(); ++i)
            parts << mine[i] + QLatin1String(" IS NOT ") + theirs[i];
        changed = parts.join(QLatin1String(" OR "));
    }
    return QStringLiteral("INSERT INTO member_demographics (%1) VALUES (%2) ON CONFLICT (user_id, ts) "
                          "DO UPDATE SET %3 WHERE %4")
            .arg(names.join(QLatin1String(", ")), marks.join(QLatin1String(", ")), sets.join(QLatin1String(", ")),
                 changed);
}

} // namespace

QString surveyName(Survey survey)
{
    return survey == Survey::OpenAps ? QStringLiteral("openaps") : QStringLiteral("nightscout");
}

std::vector<TypedColumn> typedColumns()
{
    std::vector<TypedColumn> typed;
    for (const SurveyColumn &c : surveyColumns) {
        if (c.kind == Kind::Typed)
            typed.push_back({ c.column, c.scrub });
    }
    return typed;
}

QStringList surveyColumnNames()
{
    QStringList names;
    for (const SurveyColumn &c : surveyColumns)
        names << QLatin1String(c.column);
    return names;
}

Result<SurveyImportReport> importSurveyCsv(const db::Database &database, const privacy::ParticipantKeys &keys,
                                           const QByteArray &csv)
{
    const QList<QStringList> rows = csv::parse(csv);
    if (rows.isEmpty())
        return makeError("demographics", QStringLiteral("The survey file is empty."));
    QHash<QString, int> header;
    for (int i = 0; i < rows.first().size(); ++i)
        header.insert(normaliseHeader(rows.first()[i]), i);
    Survey survey = Survey::OpenAps;
    if (header.contains(normaliseHeader(QLatin1String(surveyColumns[1].nightscoutHeader))))
        survey = Survey::Nightscout;
    else if (!header.contains(normaliseHeader(QLatin1String(surveyColumns[1].openapsHeader))))
        return makeError("demographics",
                         QStringLiteral("The survey file has no project member ID column; "
                                        "it is neither the OpenAPS nor the Nightscout survey."));
    QList<int> columnIndex;
    for (const SurveyColumn &c : surveyColumns) {
        const char *h = survey == Survey::OpenAps ? c.openapsHeader : c.nightscoutHeader;
        columnIndex << header.value(normaliseHeader(QLatin1String(h)), -1);
    }
    QList<SurveyAnswer> answers;
    for (int r = 1; r < rows.size(); ++r) {
        SurveyAnswer answer { survey, {}, r + 1 };
        for (const int index : std::as_const(columnIndex))
            answer.values << (index >= 0 ? rows[r].value(index) : QString());
        answers << answer;
    }
    return importSurveyAnswers(database, keys, answers);
}

Result<SurveyImportReport> importSurveyAnswers(const db::Database &database, const privacy::ParticipantKeys &keys,
                                               const QList<SurveyAnswer> &answers)
{
    SurveyImportReport report;
    const QString sql = upsertSql(database.isPostgres());
    const QString now = QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzzZ"));
    const Status s = sql::inTransaction(database, [&](const QSqlDatabase &db) -> Status {
        // Locked first: an erasure either finished before or waits for us.
        auto sharing = privacy::lockSharingMembers(db, keys);
        if (!sharing)
            return sharing.error();
        for (const SurveyAnswer &answer : answers) {
            ++report.rows;
            QVariantList values;
            QString problem;
            bool notSharing = false;
            for (size_t c = 0; c < std::size(surveyColumns); ++c) {
                const QString text = answer.values.value(int(c));
                switch (surveyColumns[c].kind) {
                case Kind::Timestamp:
                    values << timestampValue(text);
                    if (values.last().isNull())
                        problem = QStringLiteral("no usable timestamp");
                    break;
                case Kind::MemberId: {
                    // Typed by the participant: stored only as the pseudonym.
                    bool ok = false;
                    const qint64 id = text.trimmed().toLongLong(&ok);
                    const qint64 pseudonym = keys.pseudonym(text);
                    values << pseudonym;
                    if (!ok || id <= 0)
                        problem = QStringLiteral("no usable project member id");
                    else if (!sharing->contains(pseudonym))
                        notSharing = true;
                    break;
                }
                case Kind::Date:
                    values << dateValue(text);
                    break;
                case Kind::Year:
                    values << yearValue(text);
                    break;
                case Kind::Number:
                    values << numberValue(text);
                    break;
                case Kind::Typed: {
                    const QString kept = surveyColumns[c].scrub(text);
                    values << (kept.isEmpty() ? sql::nullText() : QVariant(kept));
                    break;
                }
                }
            }
            if (!problem.isEmpty()) {
                ++report.skipped;
                report.problems << QStringLiteral("row %1: %2").arg(answer.row).arg(problem);
                continue;
            }
            if (notSharing) {
                // Never joined, erased, or withdrew: not kept.
                ++report.notSharing;
                continue;
            }
            values << surveyName(answer.survey) << now;
            auto q = sql::exec(db, sql, values, "storing survey answers");
            if (!q)
                return q.error();
            ++(q->numRowsAffected() > 0 ? report.written : report.unchanged);
        }
        // Answers kept earlier of members who since left or withdrew go too.
        auto stored = sql::exec(db, QStringLiteral("SELECT DISTINCT user_id FROM member_demographics"), {},
                                "reading survey members");
        if (!stored)
            return stored.error();
        QList<qint64> gone;
        while (stored->next()) {
            if (!sharing->contains(stored->value(0).toLongLong()))
                gone.append(stored->value(0).toLongLong());
        }
        stored->finish();
        for (const qint64 userId : std::as_const(gone)) {
            auto q = sql::exec(db, QStringLiteral("DELETE FROM member_demographics WHERE user_id = ?"), { userId },
                               "removing answers of members who do not share");
            if (!q)
                return q.error();
            report.removed += int(q->numRowsAffected());
        }
        return {};
    });
    if (!s)
        return s.error();
    return report;
}

DemographicsImport::DemographicsImport(db::Database database, QNetworkAccessManager *nam, QList<QUrl> urls,
                                       privacy::ParticipantKeys keys, QObject *parent)
    : QObject(parent),
      m_database(std::move(database)),
      m_nam(nam),
      m_urls(std::move(urls)),
      m_keys(std::move(keys))
{ }

void DemographicsImport::start()
{
    m_next = 0;
    fetchNext();
}

void DemographicsImport::fetchNext()
{
    while (m_next < m_urls.size() && !m_urls[m_next].isValid())
        ++m_next;
    if (m_next >= m_urls.size())
        return complete();
    HttpRequest request;
    request.request = QNetworkRequest(m_urls[m_next]);
    request.maxResponseBytes = 64 * 1024 * 1024;
    const int which = m_next++;
    HttpCall::start(m_nam, request, this, [this, which](Result<HttpResponse> response) {
        const QString label = QStringLiteral("demographics source %1").arg(which + 1);
        if (!response) {
            m_errors << label + QLatin1String(": ") + response.error().message;
        } else if (response->status != 200) {
            m_errors << label + QStringLiteral(": the server answered HTTP %1").arg(response->status);
        } else if (auto imported = importSurveyCsv(m_database, m_keys, response->body); !imported) {
            m_errors << label + QLatin1String(": ") + imported.error().message;
        } else {
            m_report.rows += imported->rows;
            m_report.written += imported->written;
            m_report.unchanged += imported->unchanged;
            m_report.skipped += imported->skipped;
            m_report.notSharing += imported->notSharing;
            m_report.removed += imported->removed;
            m_report.problems += imported->problems;
        }
        fetchNext();
    });
}

void DemographicsImport::complete()
{
    if (auto s = refreshDemographics(m_database, m_keys, QDate::currentDate()); !s)
        m_errors << s.error().message;
    for (const QString &e : std::as_const(m_errors))
        qCWarning(lcSurvey, "%s", qPrintable(e));
    qCInfo(lcSurvey,
           "demographics: %d answers, %d stored, %d unchanged, %d skipped, %d not kept (not sharing), %d removed",
           m_report.rows, m_report.written, m_report.unchanged, m_report.skipped, m_report.notSharing,
           m_report.removed);
    emit finished();
}

} // namespace openaps::survey
