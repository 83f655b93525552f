#pragma once

#include "core/result.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace openaps::researcher {

// What a release holds (`POST /api/v1/releases`): several datasets from one
// snapshot of the database in one zip (README "Releases").
struct ReleaseRequest
{
    QStringList datasets;
    QString format = QStringLiteral("csv"); // csv | ndjson
    QDateTime from; // inclusive, optional
    QDateTime to; // exclusive, optional
    QStringList participants; // empty: all the scope allows
    bool deflate = true; // false: entries stored as they are

    QJsonObject toJson() const;
};

// A release as `GET /api/v1/releases/{id}` describes it.
struct ReleaseInfo
{
    qint64 id = 0;
    QString state; // queued | running | ready | failed | cancelled | expired
    QStringList datasets;
    QString format;
    QString compression;
    qint64 rows = 0; // so far, while it runs
    qint64 rowsEstimate = -1; // the rows it will hold, once the server counted them; -1: not yet
    qint64 bytes = 0; // of the zip, once ready
    QString sha256; // of the zip, hex, once ready
    QString error;
    QDateTime createdAt;
    QDateTime finishedAt;
    QDateTime expiresAt;

    // Building or waiting to be built.
    bool isPending() const;
    // 0..99 while it is built (rows against the estimate), 100 once ready; -1 when unknown.
    int percent() const;
    static ReleaseInfo fromJson(const QJsonObject &o);
};

Result<ReleaseInfo> parseRelease(const QByteArray &body);
Result<QList<ReleaseInfo>> parseReleases(const QByteArray &body);

// One file of a release as its manifest.json lists it.
struct ReleaseFile
{
    QString name;
    qint64 rows = 0;
    qint64 bytes = 0;
    QByteArray sha256; // hex
};

} // namespace openaps::researcher
