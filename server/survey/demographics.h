#pragma once

#include "core/result.h"
#include "db/database.h"
#include "privacy/participantkeys.h"

#include <QObject>
#include <QPointer>
#include <QStringList>
#include <QUrl>

#include <vector>

class QNetworkAccessManager;

namespace openaps::survey {

// The two survey forms whose answers fill member_demographics (the old
// system's Google Forms; their column headers are matched below).
enum class Survey { OpenAps, Nightscout };
QString surveyName(Survey survey); // "openaps" | "nightscout"

struct SurveyImportReport
{
    int rows = 0; // answers in the file
    int written = 0; // new or changed answers stored
    int unchanged = 0;
    int skipped = 0; // no usable member id or timestamp
    int notSharing = 0; // of people who never joined, were erased or withdrew: not kept
    int removed = 0; // answers kept earlier of members who since left or withdrew
    QStringList problems; // "row 7: no project member id" (never answer text)
};

// Imports one survey's CSV export (header row first). The layout is told by
// the member-id column ("Your OpenHumans OpenAPS Data Commons "project
// member ID"" or "Your Nightscout Data Commons "project member ID"");
// headers match ignoring case, spacing and curly quotes. Answers are
// upserted by (user_id, ts), user_id being the member's pseudonym: the
// member id typed into the form is never stored. Only answers of members who
// share are kept (privacy::lockSharingMembers); earlier answers of members
// who since left or withdrew are removed. Dates as the forms export them:
// M/d/yyyy (the sheets' US locale), yyyy-MM-dd, or a year alone ("Year of
// birth" → 1 January); timestamps "M/d/yyyy H:mm:ss", read as UTC.
Result<SurveyImportReport> importSurveyCsv(const db::Database &database, const privacy::ParticipantKeys &keys,
                                           const QByteArray &csv);

// One answer to store: the texts of surveyColumnNames(), in that order, read
// as importSurveyCsv reads a form's cells; `row` names it in problems.
struct SurveyAnswer
{
    Survey survey = Survey::OpenAps;
    QStringList values;
    qint64 row = 0;
};
// ts, user_id (the member id as typed), birth_year, gender, ... : the
// member_demographics columns the answers fill, in the order of SurveyAnswer::values.
QStringList surveyColumnNames();
// Stores answers as importSurveyCsv does (same conversions, same rule on
// members who share, same removal of answers of members who left), in one
// transaction: the legacy migration hands in the old table's rows this way.
Result<SurveyImportReport> importSurveyAnswers(const db::Database &database, const privacy::ParticipantKeys &keys,
                                               const QList<SurveyAnswer> &answers);

// The member_demographics columns that hold answers a participant types,
// each with what is kept of such an answer (answerscrub.h; empty: NULL).
struct TypedColumn
{
    const char *column;
    QString (*scrub)(const QString &typed);
};
std::vector<TypedColumn> typedColumns();

// Fetches the configured CSV URLs (OPENAPS_DEMOGRAPHICS_OPENAPS_CSV_URL,
// OPENAPS_DEMOGRAPHICS_NIGHTSCOUT_CSV_URL: published spreadsheets), imports
// each, then rebuilds analytics_demographics. One finished() at the end;
// errors() lists what failed (URLs never appear in messages or logs).
class DemographicsImport final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DemographicsImport)

public:
    DemographicsImport(db::Database database, QNetworkAccessManager *nam, QList<QUrl> urls,
                       privacy::ParticipantKeys keys, QObject *parent = nullptr);

    void start();
    const QStringList &errors() const { return m_errors; }
    const SurveyImportReport &report() const { return m_report; }

signals:
    void finished();

private:
    void fetchNext();
    void complete();

    db::Database m_database;
    QNetworkAccessManager *m_nam;
    QList<QUrl> m_urls;
    privacy::ParticipantKeys m_keys;
    int m_next = 0;
    SurveyImportReport m_report;
    QStringList m_errors;
};

} // namespace openaps::survey
