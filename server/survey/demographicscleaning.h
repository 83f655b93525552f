#pragma once

#include <QDate>
#include <QString>
#include <QVariant>

#include <optional>

// Cleaning of free-text survey answers for analytics_demographics, after the
// old system's "demographics clean" views, made stricter: values that cannot
// be read with confidence become NULL rather than a guess.
namespace openaps::survey {

struct CleanDemographics
{
    QString gender; // "Not Available" when empty
    QString country; // normalised name, "Not Available" when empty
    std::optional<double> heightCm;
    std::optional<double> weightKg;
    std::optional<int> ageYears;
    QString ageBracket; // 00-05 06-10 11-15 16-20 21-30 31-45 46-60 60+
    std::optional<int> yearsSinceDiagnosed;
    QString diagnosedBracket; // 00-02 03-05 06-10 11-20 20+
};

CleanDemographics cleanDemographics(const QString &gender, const QString &country, const QString &height,
                                    const QString &weight, const QDate &birth, const QDate &diagnosed,
                                    const QDate &today);

// "the uk", "U.S.A.", "España", "usa" → "United Kingdom", "United States of
// America", "Spain"; other names trimmed and capitalised word by word.
QString normaliseCountry(const QString &raw);

// 5'8", 5 ft 8 in, 5'8, 68 in, 172 cm, 172, 1.72 m, 1,72 → centimetres
// (plain numbers: < 3 metres, 48..96 inches, 100..250 cm). 50..250 cm or null.
std::optional<double> heightCm(const QString &raw);

// 70 kg, 150 lbs, 11 st → kilograms. A plain number is read as pounds when
// `poundsByDefault` (the respondent lives in the USA), else kilograms.
// 2..300 kg or null.
std::optional<double> weightKg(const QString &raw, bool poundsByDefault);

// Whole years from `from` to `to`; null for a missing date or a negative span.
std::optional<int> fullYears(const QDate &from, const QDate &to);
QString ageBracket(int years);
QString diagnosedBracket(int years);

// A DATE column (PostgreSQL) or ISO text (SQLite) as a QDate.
QDate dateFromDb(const QVariant &value);
QVariant optionalReal(const std::optional<double> &value);

} // namespace openaps::survey
