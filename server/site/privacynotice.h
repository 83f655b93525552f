#pragma once

#include "core/result.h"
#include "site/pagerenderer.h"

#include <QString>

namespace openaps::site {

// The privacy notice and contact page's text. The operator sets it with
// OPENAPS_SITE_PRIVACY_NOTICE_FILE (a plain text file) and
// OPENAPS_SITE_CONTACT (an e-mail address or a web address); without them
// the site's own notice (resources/site/privacy.txt) is shown.
//
// The file is plain text, so no operator can break the page or open it to
// script: blank lines separate paragraphs, a line starting with "# " is a
// heading, lines starting with "- " form a list.
class PrivacyNotice
{
public:
    static Result<PrivacyNotice> load(const QString &file, const QString &resourcesDir, const QString &contact);

    // "sections": [{heading, paragraphs: [..], items: [..]}], plus the
    // contact: contactText and contactHref (mailto: for an e-mail address).
    void fill(PageData &data) const;

    struct Section
    {
        QString heading;
        QStringList paragraphs;
        QStringList items;
    };
    const QList<Section> &sections() const { return m_sections; }

private:
    QList<Section> m_sections;
    QString m_contact;
};

} // namespace openaps::site
