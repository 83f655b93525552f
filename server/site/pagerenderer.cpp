#include "site/pagerenderer.h"

#include <QDir>
#include <QFile>

namespace openaps::site {

Result<std::shared_ptr<PageRenderer>> PageRenderer::load(const QString &dir)
{
    const QString base = (dir.isEmpty() ? QStringLiteral(":/site") : dir) + QStringLiteral("/templates");
    const QStringList files = QDir(base).entryList({ QStringLiteral("*.mustache") }, QDir::Files);
    if (!files.contains(QStringLiteral("layout.mustache")))
        return makeError("site",
                         QStringLiteral("The site templates are missing: %1 holds no "
                                        "layout.mustache.")
                                 .arg(base));
    auto renderer = std::make_shared<PageRenderer>();
    for (const QString &file : files) {
        QFile f(base + QLatin1Char('/') + file);
        if (!f.open(QIODevice::ReadOnly))
            return makeError("site", QStringLiteral("Cannot read the site template %1.").arg(file));
        auto parsed = std::make_shared<Template>(f.readAll().toStdString());
        if (!parsed->is_valid())
            return makeError("site",
                             QStringLiteral("The site template %1 is broken: %2")
                                     .arg(file, QString::fromStdString(parsed->error_message())));
        renderer->m_templates.insert(file.chopped(9), parsed);
    }
    return renderer;
}

QByteArray PageRenderer::render(const QString &name, const PageData &data) const
{
    const auto page = m_templates.value(name);
    const auto layout = m_templates.value(QStringLiteral("layout"));
    if (!page || !layout)
        return QByteArray();
    PageData withContent = data;
    withContent.set("content", page->render(data));
    const std::string html = layout->render(withContent);
    return QByteArray(html.data(), qsizetype(html.size()));
}

} // namespace openaps::site
