#include "survey/demographicstable.h"

#include "db/sqlhelpers.h"
#include "privacy/tombstones.h"
#include "records/researchgeneration.h"
#include "survey/demographicscleaning.h"

#include <QSqlQuery>

namespace openaps::survey {

namespace {

// Only the year is stored: 1 January of it, so the age is this year's age
// (at most one more than the exact age), and its bracket.
QDate yearStart(const QVariant &year)
{
    return year.isNull() ? QDate() : QDate(year.toInt(), 1, 1);
}

} // namespace

Status refreshDemographics(const db::Database &database, const privacy::ParticipantKeys &keys, const QDate &today)
{
    return sql::inTransaction(database, [&](const QSqlDatabase &db) -> Status {
        // First, and locked: an erasure or withdrawal either finished before
        // (its answers are not read) or waits for this transaction.
        auto sharing = privacy::lockSharingMembers(db, keys);
        if (!sharing)
            return sharing.error();
        auto rows = sql::exec(db,
                              QStringLiteral("SELECT seq_id, user_id, ts, survey, gender, ethnicity, country, "
                                             "height, weight, birth_year, diagnosis_year, "
                                             "diy_closed_loop_type, who_uses_the_closed_loop_system, "
                                             "insulin_units_per_day, basal_insulin_units_per_day, carb_grams_per_day, "
                                             "last_lab_reported_a1c FROM member_demographics ORDER BY seq_id"),
                              {}, "reading demographics");
        if (!rows)
            return rows.error();
        QList<QVariantList> cleaned;
        while (rows->next()) {
            const QSqlQuery &r = *rows;
            if (!sharing->contains(r.value(1).toLongLong()))
                continue;
            const CleanDemographics c = cleanDemographics(r.value(4).toString(), r.value(6).toString(),
                                                          r.value(7).toString(), r.value(8).toString(),
                                                          yearStart(r.value(9)), yearStart(r.value(10)), today);
            cleaned.append(
                    { r.value(0),
                      r.value(1),
                      r.value(2),
                      r.value(3),
                      c.gender,
                      r.value(5),
                      r.value(6),
                      c.country,
                      optionalReal(c.heightCm),
                      optionalReal(c.weightKg),
                      c.ageYears ? QVariant(*c.ageYears) : QVariant(QMetaType::fromType<int>()),
                      c.ageBracket.isEmpty() ? sql::nullText() : QVariant(c.ageBracket),
                      c.yearsSinceDiagnosed ? QVariant(*c.yearsSinceDiagnosed) : QVariant(QMetaType::fromType<int>()),
                      c.diagnosedBracket.isEmpty() ? sql::nullText() : QVariant(c.diagnosedBracket),
                      r.value(11),
                      r.value(12),
                      r.value(13),
                      r.value(14),
                      r.value(15),
                      r.value(16) });
        }
        rows->finish();
        if (auto q = sql::exec(db, QStringLiteral("DELETE FROM analytics_demographics"), {}, "clearing demographics");
            !q)
            return q.error();
        for (const QVariantList &values : cleaned) {
            auto q = sql::exec(db,
                               QStringLiteral("INSERT INTO analytics_demographics (seq_id, user_id, ts, survey, "
                                              "gender, ethnicity, country, country_corrected, height_cm, weight_kg, "
                                              "age_years, age_bracket, years_since_diagnosed, "
                                              "years_since_diagnosed_bracket, diy_closed_loop_type, "
                                              "who_uses_the_closed_loop_system, insulin_units_per_day, "
                                              "basal_insulin_units_per_day, carb_grams_per_day, last_lab_reported_a1c) "
                                              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                               values, "writing cleaned demographics");
            if (!q)
                return q.error();
        }
        return records::bumpResearchGeneration(db);
    });
}

} // namespace openaps::survey
