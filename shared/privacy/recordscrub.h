#pragma once

#include "records/datatype.h"

#include <QJsonObject>
#include <QString>

#include <functional>
#include <optional>

// What the research database keeps of the free text and device identifiers
// in a Nightscout document (issue 11, "No identifiers in research data";
// README, "What researchers receive"). The ETL applies it to every document
// it maps, from legacy whole-history files and new segments alike, before
// the typed columns are read and before the document is kept as raw_json;
// `openaps-server migrate` applies it to rows loaded before it existed
// (privacy/scrubrows.h). Each field gets one of three treatments:
// - dropped: the value is removed (`notes`, serial numbers and pump ids,
//   push tokens, app bundle ids, uploader and preset names, food text);
// - replaced by a category from a fixed list (`device`, `enteredBy`:
//   sourceFamily(); treatments `reason`: treatmentReason(); Loop's
//   `failureReason`: failureCode());
// - replaced by a keyed hash that is stable per participant (profile names),
//   so a profile switch still names the profile it switched to.
// The result can only hold words from those fixed lists, numbers and hashes
// wherever text could have been typed by a person.
namespace openaps::privacy {

// The looping system, uploader or device family a `device` or `enteredBy`
// names: one of androidaps, trio, iaps, loop, openaps, xdrip, spike,
// careportal, tidepool, nightscout, dexcom, libre, miaomiao, medtronic, omnipod,
// tandem, or other. An empty text stays empty.
QString sourceFamily(const QString &text);
// A treatment's `reason` (temporary targets, overrides, suspends): the
// standard wording when it is one of the apps' own reasons, otherwise "other".
QString treatmentReason(const QString &reason);
// Loop's `failureReason`: the error's name when it is written as one
// ("pumpDataTooOld(...)" → "pumpDataTooOld"), otherwise "other".
QString failureCode(const QString &text);

class RecordScrubber
{
public:
    // Maps a profile name to its stable stand-in ("profile-" + hash); without
    // one every profile name becomes "profile".
    using ProfileNamer = std::function<QString(const QString &name)>;

    explicit RecordScrubber(ProfileNamer profileNamer = {}) : m_profileNamer(std::move(profileNamer)) { }

    // Scrubs `document` in place; true if anything changed.
    bool scrub(records::DataType type, QJsonObject &document) const;
    QString profileName(const QString &name) const;

private:
    bool scrubObject(QJsonObject &object, bool topLevel, records::DataType type) const;
    bool scrubValue(QJsonValueRef value, bool topLevel, records::DataType type) const;

    ProfileNamer m_profileNamer;
};

} // namespace openaps::privacy
