#pragma once

#include "core/result.h"
#include "researcher/releasetypes.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <atomic>

namespace openaps::researcher {

// What a verified release zip holds: its manifest.json and the files it lists.
struct ReleaseContents
{
    QJsonObject manifest;
    QList<ReleaseFile> files;
};

// Reads a release zip through libarchive, entry by entry in flat memory, and
// checks every file against manifest.json: each file it lists is there with
// the bytes and SHA-256 it says, and nothing else is (manifest.json aside).
// Error "corrupt" naming the file that does not match (or what libarchive
// could not read), "cancelled" once `cancelled` is set.
Result<ReleaseContents> verifyReleaseZip(const QString &path, const std::atomic<bool> *cancelled = nullptr);

// Both: the zip's SHA-256 must be `sha256` (hex, what the server's
// Repr-Digest said), then every file inside must match the manifest.
Result<ReleaseContents> verifyRelease(const QString &path, const QByteArray &sha256,
                                      const std::atomic<bool> *cancelled = nullptr);

} // namespace openaps::researcher
