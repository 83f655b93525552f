#include "site/privacynotice.h"

#include <QFile>
#include <QUrl>

namespace openaps::site {

namespace {

QList<PrivacyNotice::Section> parse(const QString &textIn)
{
    QList<PrivacyNotice::Section> sections(1);
    QString paragraph;
    auto endParagraph = [&] {
        if (!paragraph.isEmpty())
            sections.last().paragraphs.append(paragraph);
        paragraph.clear();
    };
    const QStringList lines = textIn.split(QLatin1Char('\n'));
    for (const QString &raw : lines) {
        const QString line = raw.trimmed();
        if (line.isEmpty()) {
            endParagraph();
        } else if (line.startsWith(QLatin1String("# "))) {
            endParagraph();
            if (!sections.last().heading.isEmpty() || !sections.last().paragraphs.isEmpty()
                || !sections.last().items.isEmpty())
                sections.append(PrivacyNotice::Section());
            sections.last().heading = line.mid(2).trimmed();
        } else if (line.startsWith(QLatin1String("- "))) {
            endParagraph();
            sections.last().items.append(line.mid(2).trimmed());
        } else {
            paragraph += (paragraph.isEmpty() ? QString() : QStringLiteral(" ")) + line;
        }
    }
    endParagraph();
    if (sections.first().heading.isEmpty() && sections.first().paragraphs.isEmpty() && sections.first().items.isEmpty())
        sections.removeFirst();
    return sections;
}

} // namespace

Result<PrivacyNotice> PrivacyNotice::load(const QString &file, const QString &resourcesDir, const QString &contact)
{
    const QString path = !file.isEmpty()
            ? file
            : (resourcesDir.isEmpty() ? QStringLiteral(":/site") : resourcesDir) + QStringLiteral("/privacy.txt");
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return makeError("config",
                         QStringLiteral("The privacy notice %1 cannot be read (%2); OPENAPS_SITE_PRIVACY_NOTICE_FILE "
                                        "names a plain text file.")
                                 .arg(path, f.errorString()));
    PrivacyNotice notice;
    notice.m_sections = parse(QString::fromUtf8(f.readAll()));
    if (notice.m_sections.isEmpty())
        return makeError("config", QStringLiteral("The privacy notice %1 is empty.").arg(path));
    notice.m_contact = contact.trimmed();
    return notice;
}

void PrivacyNotice::fill(PageData &data) const
{
    PageData sections(PageData::type::list);
    for (const Section &s : m_sections) {
        PageData section;
        if (!s.heading.isEmpty())
            section.set("heading", text(s.heading));
        PageData paragraphs(PageData::type::list);
        for (const QString &p : s.paragraphs)
            paragraphs.push_back(PageData(text(p)));
        section.set("paragraphs", paragraphs);
        if (!s.items.isEmpty()) {
            PageData items(PageData::type::list);
            for (const QString &i : s.items)
                items.push_back(PageData(text(i)));
            section.set("hasItems", true);
            section.set("items", items);
        }
        sections.push_back(section);
    }
    data.set("sections", sections);
    if (m_contact.isEmpty())
        return;
    data.set("contactText", text(m_contact));
    const bool email = m_contact.contains(QLatin1Char('@')) && !m_contact.contains(QLatin1Char('/'));
    const QUrl web(m_contact);
    if (email)
        data.set("contactHref", text(QStringLiteral("mailto:") + m_contact));
    else if (web.isValid() && (web.scheme() == QLatin1String("https") || web.scheme() == QLatin1String("http")))
        data.set("contactHref", text(web.toString(QUrl::FullyEncoded)));
}

} // namespace openaps::site
