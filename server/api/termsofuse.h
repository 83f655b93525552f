#pragma once

#include <QString>

namespace openaps::api {

// The researchers' terms of use: versioned texts in resources/api/terms/
// (v1.txt, v2.txt, ...; compiled in). An application must accept the
// current one, the newest version; the version accepted is kept with the
// account. A changed text is a new file, never an edit of an old one.
struct TermsOfUse
{
    QString version; // "v1"
    QString text;

    static const TermsOfUse &current();
};

} // namespace openaps::api
