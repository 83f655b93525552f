#pragma once

#include <QByteArray>
#include <QHash>
#include <QString>

namespace openaps::site {

// The site's CSS, JavaScript and images, read into memory once (a few KB)
// from `<dir>/static` or the copy compiled into the binary.
class StaticFiles
{
public:
    struct File
    {
        QByteArray mimeType;
        QByteArray content;
        QByteArray etag;
    };

    explicit StaticFiles(const QString &dir);

    // nullptr for names that are not there (including any path tricks).
    const File *find(const QString &name) const;
    int count() const { return int(m_files.size()); }

private:
    QHash<QString, File> m_files;
};

} // namespace openaps::site
