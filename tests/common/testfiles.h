#pragma once

// Files as the tests write and read them back: downloads (plain or gzip)
// and release zips (members deflated or stored), read whole with libarchive.

#include <QByteArray>
#include <QDir>
#include <QList>
#include <QMap>
#include <QString>

#include <utility>

namespace openaps::test {

// `text` written to `name` in `dir`, gzip-compressed when the name ends in
// ".gz"; the file's path, empty if it could not be written.
QString writeFile(const QDir &dir, const QString &name, const QByteArray &text);
// The whole file; empty if it cannot be read.
QByteArray readFile(const QString &path);

// A zip as the server writes a release: each member deflated or stored, in
// the order given. The path, empty if it could not be written.
QString writeZip(const QString &path, const QList<std::pair<QString, QByteArray>> &members, bool deflate = true);

struct ZipMember
{
    QString name;
    QByteArray content;
    bool stored = false; // not compressed
};
// The members of a zip in order, read whole (small test zips).
QList<ZipMember> zipMembers(const QByteArray &zip);
// The members of a zip file by name.
QMap<QString, ZipMember> readZip(const QString &path);

} // namespace openaps::test
