#pragma once

#include "core/result.h"

#include <QMap>
#include <QString>

namespace openaps::site {

// The consent texts participants are shown above the consent boxes, one
// HTML fragment per version: resources/site/consent/v1.html, v2.html, ...
// A version is never edited once it was shown; new words are a new file, so
// the consent history can say which words each choice was made under. The
// newest version is the one the page shows.
class ConsentTexts
{
public:
    // From `dir`/consent (a directory holding the site's resources), or the
    // copy compiled into the binary when `dir` is empty.
    static Result<ConsentTexts> load(const QString &dir);

    QString currentVersion() const;
    bool has(const QString &version) const { return m_texts.contains(version); }
    // The HTML fragment of `version`; empty when there is no such version.
    QString text(const QString &version) const { return m_texts.value(version); }

private:
    QMap<QString, QString> m_texts; // "v1" → fragment
    QString m_current;
};

} // namespace openaps::site
