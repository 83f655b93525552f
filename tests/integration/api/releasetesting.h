#pragma once

// What the release tests share (api_releases, api_releaseclient,
// api_releaseidle): both backends, zips read back with libarchive, and a
// release asked for over HTTP and taken once ready.

#include "exportharness.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>

#include <optional>

namespace openaps::test {

// A test class whose every function runs on SQLite and on PostgreSQL.
class BackendTest : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase_data();
    void initTestCase();
};

// The entries of a zip in order, read whole (small test zips).
QList<std::pair<QString, QByteArray>> zipEntries(const QByteArray &zip);
// The same by name.
QHash<QString, QByteArray> unzip(const QByteArray &zip);
// Hex, with Qt's own hash: the tests check the server's libcrypto against it.
QByteArray sha256Hex(const QByteArray &data);

// `{"datasets":[...],"format":"csv"}` for the first day of ExportHarness::seed()'s rows.
QJsonObject releaseBody(const QStringList &datasets);
// The query string of the streamed exports of the same rows.
inline const char *const releaseFilters = "format=csv&from=2024-01-01T00:00:00Z&to=2024-01-02T00:00:00Z";

// POST /api/v1/releases: the new release's id, 0 if refused.
qint64 postRelease(ExportHarness &h, const QJsonObject &body);
// GET /api/v1/releases/{id}: its state.
QString releaseState(ExportHarness &h, qint64 id);
// Waits until the release is in `state` (20 s at most).
bool waitForState(ExportHarness &h, qint64 id, const QString &state);

// A ready release as the researcher gets it.
struct Release
{
    qint64 id = 0;
    QJsonObject info; // GET /api/v1/releases/{id}
    QByteArray zip; // GET .../file
    QHash<QString, QByteArray> files;
    QJsonObject manifest() const;
};
// Asks for a release, waits until it is ready, downloads and unzips it;
// nothing if it was refused or did not become ready.
std::optional<Release> readyRelease(ExportHarness &h, const QJsonObject &body);
// The same for one asked for already.
std::optional<Release> fetchRelease(ExportHarness &h, qint64 id);

} // namespace openaps::test
