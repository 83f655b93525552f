#pragma once

#include "core/result.h"

#include <kainjow/mustache.hpp>

#include <QByteArray>
#include <QHash>
#include <QString>

#include <memory>

namespace openaps::site {

using PageData = kainjow::mustache::data;

// std::string for the template library from Qt strings.
inline std::string text(const QString &s)
{
    return s.toStdString();
}

// Renders the site's mustache templates (`<name>.mustache`), each page inside
// layout.mustache. Templates are parsed once; values are HTML-escaped by the
// library unless a template asks for raw output with triple braces.
class PageRenderer
{
public:
    // Loads every template from `dir` (a directory holding templates/), or
    // from the copy compiled into the binary when `dir` is empty.
    static Result<std::shared_ptr<PageRenderer>> load(const QString &dir);

    // The page `name` inside the layout. `data` must hold "title".
    QByteArray render(const QString &name, const PageData &data) const;
    bool has(const QString &name) const { return m_templates.contains(name); }

private:
    using Template = kainjow::mustache::mustache;
    QHash<QString, std::shared_ptr<Template>> m_templates;
};

} // namespace openaps::site
