#pragma once

#include "core/result.h"
#include "records/datatype.h"

#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

namespace openaps::etl {

// One file to import and whose rows it holds.
struct ImportFile
{
    QString path;
    qint64 userId = 0; // Open Humans project member id
    records::DataType type = records::DataType::Entries;
};

// What `openaps-server import --dir` will load: the data files of a folder
// tree of Open Humans files (as a project-wide download gives:
// <dir>/<member id>/.../<ms>_<member>_<type>.json[.gz], or segment files),
// each member's profiles first so that their time zones apply to the rest.
struct ImportPlan
{
    QList<ImportFile> files;
    QMap<qint64, int> sourceEntity; // per member, from its consent file or the default
    QStringList skipped; // plain-words notes: members without consent, unknown files
};

// The member of a file: from its name, else the nearest folder named by a number.
qint64 memberOfFile(const QString &path, const QString &root);

// Walks `dir`. A member's consent file decides its source entity; "none"
// leaves the member out. Without a consent file `defaultSourceEntity` applies.
Result<ImportPlan> planDirectory(const QString &dir, int defaultSourceEntity);

// Sorts files so that each member's profiles come first, then by path.
void sortForImport(QList<ImportFile> &files);

} // namespace openaps::etl
