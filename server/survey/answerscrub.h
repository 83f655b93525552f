#pragma once

#include <QString>

// What member_demographics keeps of the survey answers a participant could
// type (a form's "Other:" field, or a whole free-text question): the same
// rule as for free text in Nightscout documents (privacy/recordscrub.h),
// words from fixed lists only (issue 11, "No identifiers in research data").
// A choice the forms offer, or typed words naming one, becomes that choice's
// name; anything else becomes "Other", so a name, an address, a phone
// number, a web address or a serial number typed into a survey never reaches
// the research database. Weight and height keep only a measurement (numbers
// with units). An empty answer stays empty.
namespace openaps::survey {

// Female, Male, Non-binary, Prefer not to say or Other.
QString genderAnswer(const QString &typed);
// Each part of a multiple answer (commas, semicolons, "and", new lines): White,
// Black, Asian, Hispanic, Native American, Pacific Islander, Middle Eastern,
// Mixed, Prefer not to say or Other; in the order given, without repeats.
QString ethnicityAnswer(const QString &typed);
// The country's name as normaliseCountry() gives it, when that is a country
// (Qt's list of territories, or one of normaliseCountry's own names); else Other.
QString countryAnswer(const QString &typed);
// The DIY loop systems named: OpenAPS, AndroidAPS, Loop, FreeAPS X, iAPS,
// Trio, Other; in the order given, without repeats.
QString loopSystemsAnswer(const QString &typed);
// Who has diabetes: Self, Child, Partner, Parent or Other.
QString relationshipAnswer(const QString &typed);
// A weight or height as typed when it is only numbers with units ("70 kg",
// "5'7\"", "1.80 m", "11 st 4 lb"); anything else empty.
QString measurementAnswer(const QString &typed);

} // namespace openaps::survey
