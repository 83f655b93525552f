#include "survey/answerscrub.h"

#include "survey/demographicscleaning.h"

#include <QLocale>
#include <QRegularExpression>
#include <QSet>
#include <QStringList>

#include <vector>

namespace openaps::survey {

namespace {

// A choice and the words that name it (whole words, any case).
struct Choice
{
    QString name;
    QRegularExpression words;
};

Choice choice(const char *name, const char *words)
{
    return { QString::fromUtf8(name),
             QRegularExpression(QStringLiteral("\\b(?:%1)\\b").arg(QString::fromUtf8(words)),
                                QRegularExpression::CaseInsensitiveOption
                                        | QRegularExpression::UseUnicodePropertiesOption) };
}

const QString other = QStringLiteral("Other");

bool isBlank(const QString &text)
{
    for (const QChar c : text) {
        if (c.isLetterOrNumber())
            return false;
    }
    return true;
}

// The first choice (in the list's order) that `text` names, else Other.
QString firstChoice(const QString &text, const std::vector<Choice> &choices)
{
    for (const Choice &c : choices) {
        if (c.words.match(text).hasMatch())
            return c.name;
    }
    return other;
}

QString oneChoice(const QString &typed, const std::vector<Choice> &choices)
{
    return isBlank(typed) ? QString() : firstChoice(typed.trimmed(), choices);
}

// A multiple answer: each part's choice, in order, without repeats.
QString severalChoices(const QString &typed, const std::vector<Choice> &choices)
{
    static const QRegularExpression separators(QStringLiteral("[,;/&+\\n]|\\band\\b"),
                                               QRegularExpression::CaseInsensitiveOption);
    QStringList names;
    for (const QString &part : typed.split(separators)) {
        if (isBlank(part))
            continue;
        const QString name = firstChoice(part, choices);
        if (!names.contains(name))
            names << name;
    }
    return names.join(QLatin1String(", "));
}

} // namespace

QString genderAnswer(const QString &typed)
{
    static const std::vector<Choice> choices {
        choice("Prefer not to say", "prefer not|rather not"),
        choice("Non-binary", "non-?binary|non binary|enby|genderqueer|gender ?fluid|agender"),
        choice("Female", "female|woman|girl|^f$"),
        choice("Male", "male|man|boy|^m$"),
    };
    return oneChoice(typed, choices);
}

QString ethnicityAnswer(const QString &typed)
{
    static const std::vector<Choice> choices {
        choice("Prefer not to say", "prefer not|rather not"),
        choice("Native American", "native american|american indian|alaska native|first nations|indigenous"),
        choice("Pacific Islander", "pacific islander|native hawaiian|maori|māori"),
        choice("Middle Eastern", "middle eastern|arab|north african"),
        choice("Mixed", "mixed|multiracial|biracial|multiple"),
        choice("Hispanic", "hispanic|latino|latina|latinx|latin"),
        choice("Black", "black|african"),
        choice("Asian", "asian|chinese|indian|japanese|korean|filipino|vietnamese|pakistani"),
        choice("White", "white|caucasian|european"),
    };
    return severalChoices(typed, choices);
}

QString countryAnswer(const QString &typed)
{
    static const QSet<QString> countries = [] {
        QSet<QString> names { QStringLiteral("united states of america") };
        for (int t = 1; t <= int(QLocale::LastTerritory); ++t)
            names.insert(QLocale::territoryToString(QLocale::Territory(t)).toLower());
        return names;
    }();
    if (isBlank(typed))
        return {};
    const QString name = normaliseCountry(typed);
    return countries.contains(name.toLower()) ? name : other;
}

QString loopSystemsAnswer(const QString &typed)
{
    static const std::vector<Choice> choices {
        choice("OpenAPS", "openaps|oref0|oref1"),
        choice("AndroidAPS", "androidaps|android aps|aaps"),
        choice("FreeAPS X", "free ?aps(?: ?x)?"),
        choice("iAPS", "iaps"),
        choice("Trio", "trio"),
        choice("Loop", "loop|loopkit"),
    };
    return severalChoices(typed, choices);
}

QString relationshipAnswer(const QString &typed)
{
    static const std::vector<Choice> choices {
        choice("Child", "child|children|kid|kids|son|daughter"),
        choice("Partner", "partner|spouse|husband|wife|boyfriend|girlfriend"),
        choice("Parent", "parent|mother|father|mom|mum|dad"),
        choice("Self", "self|myself|me|i"),
    };
    return oneChoice(typed, choices);
}

QString measurementAnswer(const QString &typed)
{
    // One or two numbers (at most three digits, so no phone or serial
    // number), each with an optional unit: "70 kg", "5' 7\"", "11 st 4 lb".
    static const QRegularExpression measurement(
            QStringLiteral(R"(^(?:about |approx\.? |ca\.? |~)?(?:\d{1,3}(?:[.,]\d{1,2})?\s*)"
                           R"((?:kgs?|kilos?|lbs?|pounds?|st|stones?|cm|m|meters?|metres?|ft|feet|foot|in|inch(?:es)?)"
                           R"(|'|"|''|’|”|´)?\.?\s*){1,2}$)"),
            QRegularExpression::CaseInsensitiveOption);
    const QString text = typed.simplified();
    return measurement.match(text).hasMatch() ? text : QString();
}

} // namespace openaps::survey
