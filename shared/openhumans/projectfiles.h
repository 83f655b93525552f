#pragma once

#include <QString>

// The two small files this project keeps in each participant's Open Humans
// account, under the old system's names (which every part still reads):
//   <member>_open_aps_nightscout_url.txt         the Nightscout URL (+ credentials)
//   <member>_open_aps_data_sharing_consent.txt   openaps | nsf | both | none
namespace openaps::oh {

inline const QLatin1String urlFileSuffix("_open_aps_nightscout_url.txt");
inline const QLatin1String consentFileSuffix("_open_aps_data_sharing_consent.txt");

inline QString urlFileName(const QString &memberId)
{
    return memberId + urlFileSuffix;
}

inline QString consentFileName(const QString &memberId)
{
    return memberId + consentFileSuffix;
}

} // namespace openaps::oh
