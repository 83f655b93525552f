#include "survey/demographicscleaning.h"

#include <QDateTime>
#include <QHash>
#include <QRegularExpression>

#include <cmath>

namespace openaps::survey {

namespace {

std::optional<double> number(QString text)
{
    bool ok = false;
    const double v = text.replace(QLatin1Char(','), QLatin1Char('.')).toDouble(&ok);
    return ok && std::isfinite(v) ? std::optional<double>(v) : std::nullopt;
}

std::optional<double> within(double v, double low, double high)
{
    return v >= low && v <= high ? std::optional<double>(std::round(v * 10) / 10) : std::nullopt;
}

} // namespace

QString normaliseCountry(const QString &raw)
{
    QString c = raw.simplified().toLower();
    if (c.startsWith(QLatin1String("the ")))
        c = c.mid(4);
    while (c.endsWith(QLatin1Char('.')))
        c.chop(1);
    if (c.isEmpty())
        return QStringLiteral("Not Available");
    static const QHash<QString, QString> known {
        { QStringLiteral("uk"), QStringLiteral("United Kingdom") },
        { QStringLiteral("u.k"), QStringLiteral("United Kingdom") },
        { QStringLiteral("united kingdom"), QStringLiteral("United Kingdom") },
        { QStringLiteral("great britain"), QStringLiteral("United Kingdom") },
        { QStringLiteral("england"), QStringLiteral("United Kingdom") },
        { QStringLiteral("scotland"), QStringLiteral("United Kingdom") },
        { QStringLiteral("wales"), QStringLiteral("United Kingdom") },
        { QStringLiteral("northern ireland"), QStringLiteral("United Kingdom") },
        { QStringLiteral("us"), QStringLiteral("United States of America") },
        { QStringLiteral("u.s"), QStringLiteral("United States of America") },
        { QStringLiteral("usa"), QStringLiteral("United States of America") },
        { QStringLiteral("u.s.a"), QStringLiteral("United States of America") },
        { QStringLiteral("united states"), QStringLiteral("United States of America") },
        { QStringLiteral("united states of america"), QStringLiteral("United States of America") },
        { QStringLiteral("america"), QStringLiteral("United States of America") },
        { QStringLiteral("españa"), QStringLiteral("Spain") },
        { QStringLiteral("espana"), QStringLiteral("Spain") },
        { QStringLiteral("italia"), QStringLiteral("Italy") },
        { QStringLiteral("deutschland"), QStringLiteral("Germany") },
        { QStringLiteral("nederland"), QStringLiteral("Netherlands") },
        { QStringLiteral("holland"), QStringLiteral("Netherlands") },
        { QStringLiteral("brasil"), QStringLiteral("Brazil") },
        { QStringLiteral("österreich"), QStringLiteral("Austria") },
        { QStringLiteral("schweiz"), QStringLiteral("Switzerland") },
        { QStringLiteral("suisse"), QStringLiteral("Switzerland") },
        { QStringLiteral("sverige"), QStringLiteral("Sweden") },
        { QStringLiteral("norge"), QStringLiteral("Norway") },
        { QStringLiteral("danmark"), QStringLiteral("Denmark") },
        { QStringLiteral("polska"), QStringLiteral("Poland") },
        { QStringLiteral("méxico"), QStringLiteral("Mexico") },
    };
    if (auto it = known.constFind(c); it != known.constEnd())
        return it.value();
    if (c.startsWith(QLatin1String("u.s.a")) || c.startsWith(QLatin1String("usa ")))
        return QStringLiteral("United States of America");
    QStringList words = c.split(QLatin1Char(' '));
    for (QString &w : words) {
        if (w != QLatin1String("and") && w != QLatin1String("of") && !w.isEmpty())
            w[0] = w[0].toUpper();
    }
    return words.join(QLatin1Char(' '));
}

std::optional<double> heightCm(const QString &raw)
{
    const QString h = raw.simplified().toLower();
    if (h.isEmpty())
        return std::nullopt;
    // Feet and inches: 5'8", 5' 8, 5 ft 8 in, 5ft8, 5´8, 5’8”.
    static const QRegularExpression feet(QStringLiteral(
            R"(^(\d)\s*(?:'|´|’|ft\.?|feet|foot)\s*(?:(\d{1,2}(?:[.,]\d+)?)\s*(?:"|''|”|in\.?|inch(?:es)?)?)?$)"));
    if (auto m = feet.match(h); m.hasMatch()) {
        const double inches = m.captured(2).isEmpty() ? 0 : number(m.captured(2)).value_or(-1000);
        return within(m.captured(1).toDouble() * 30.48 + inches * 2.54, 50, 250);
    }
    static const QRegularExpression value(QStringLiteral(R"(^(\d+(?:[.,]\d+)?)\s*(cm|m|in\.?|inch(?:es)?|"|)$)"));
    const auto m = value.match(h);
    if (!m.hasMatch())
        return std::nullopt;
    const double v = number(m.captured(1)).value_or(-1);
    const QString unit = m.captured(2);
    if (unit == QLatin1String("cm"))
        return within(v, 50, 250);
    if (unit == QLatin1String("m"))
        return within(v * 100, 50, 250);
    if (!unit.isEmpty())
        return within(v * 2.54, 50, 250);
    if (v > 0 && v < 3)
        return within(v * 100, 50, 250);
    if (v >= 48 && v <= 96)
        return within(v * 2.54, 50, 250);
    return within(v, 100, 250);
}

std::optional<double> weightKg(const QString &raw, bool poundsByDefault)
{
    static const QRegularExpression value(
            QStringLiteral(R"(^(\d+(?:[.,]\d+)?)\s*(kgs?|kilos?|kilograms?|lbs?\.?|pounds?|st|stone|)$)"));
    const auto m = value.match(raw.simplified().toLower());
    if (!m.hasMatch())
        return std::nullopt;
    const double v = number(m.captured(1)).value_or(-1);
    const QString unit = m.captured(2);
    const bool pounds = unit.startsWith(QLatin1Char('l')) || unit.startsWith(QLatin1Char('p'))
            || (unit.isEmpty() && poundsByDefault);
    double kg = v;
    if (pounds)
        kg = v * 0.45359237;
    else if (unit.startsWith(QLatin1String("st")))
        kg = v * 6.35029318;
    return within(kg, 2, 300);
}

std::optional<int> fullYears(const QDate &from, const QDate &to)
{
    if (!from.isValid() || !to.isValid() || from > to)
        return std::nullopt;
    int years = to.year() - from.year();
    if (to.month() < from.month() || (to.month() == from.month() && to.day() < from.day()))
        --years;
    return years <= 120 ? std::optional<int>(years) : std::nullopt;
}

QString ageBracket(int years)
{
    if (years <= 5)
        return QStringLiteral("00-05");
    if (years <= 10)
        return QStringLiteral("06-10");
    if (years <= 15)
        return QStringLiteral("11-15");
    if (years <= 20)
        return QStringLiteral("16-20");
    if (years <= 30)
        return QStringLiteral("21-30");
    if (years <= 45)
        return QStringLiteral("31-45");
    if (years <= 60)
        return QStringLiteral("46-60");
    return QStringLiteral("60+");
}

QString diagnosedBracket(int years)
{
    if (years <= 2)
        return QStringLiteral("00-02");
    if (years <= 5)
        return QStringLiteral("03-05");
    if (years <= 10)
        return QStringLiteral("06-10");
    if (years <= 20)
        return QStringLiteral("11-20");
    return QStringLiteral("20+");
}

CleanDemographics cleanDemographics(const QString &gender, const QString &country, const QString &height,
                                    const QString &weight, const QDate &birth, const QDate &diagnosed,
                                    const QDate &today)
{
    CleanDemographics c;
    c.gender = gender.trimmed().isEmpty() ? QStringLiteral("Not Available") : gender.trimmed();
    c.country = normaliseCountry(country);
    c.heightCm = heightCm(height);
    c.weightKg = weightKg(weight, c.country == QLatin1String("United States of America"));
    c.ageYears = fullYears(birth, today);
    if (c.ageYears)
        c.ageBracket = ageBracket(*c.ageYears);
    c.yearsSinceDiagnosed = fullYears(diagnosed, today);
    if (c.yearsSinceDiagnosed)
        c.diagnosedBracket = diagnosedBracket(*c.yearsSinceDiagnosed);
    return c;
}

QDate dateFromDb(const QVariant &value)
{
    if (value.isNull())
        return {};
    if (value.metaType().id() == QMetaType::QDate)
        return value.toDate();
    if (value.metaType().id() == QMetaType::QDateTime)
        return value.toDateTime().toUTC().date();
    return QDate::fromString(value.toString().left(10), Qt::ISODate);
}

QVariant optionalReal(const std::optional<double> &value)
{
    return value ? QVariant(*value) : QVariant(QMetaType::fromType<double>());
}

} // namespace openaps::survey
