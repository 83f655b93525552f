#include "releasetesting.h"

#include "testfiles.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QStandardPaths>
#include <QTest>

namespace openaps::test {

void BackendTest::initTestCase_data()
{
    addBackendRows();
}

void BackendTest::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
}

QList<std::pair<QString, QByteArray>> zipEntries(const QByteArray &zip)
{
    QList<std::pair<QString, QByteArray>> out;
    for (const ZipMember &member : zipMembers(zip))
        out.append({ member.name, member.content });
    return out;
}

QHash<QString, QByteArray> unzip(const QByteArray &zip)
{
    QHash<QString, QByteArray> files;
    for (const auto &[name, content] : zipEntries(zip))
        files.insert(name, content);
    return files;
}

QByteArray sha256Hex(const QByteArray &data)
{
    return QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex();
}

QJsonObject releaseBody(const QStringList &datasets)
{
    return { { QStringLiteral("datasets"), QJsonArray::fromStringList(datasets) },
             { QStringLiteral("format"), QStringLiteral("csv") },
             { QStringLiteral("from"), QStringLiteral("2024-01-01T00:00:00Z") },
             { QStringLiteral("to"), QStringLiteral("2024-01-02T00:00:00Z") } };
}

qint64 postRelease(ExportHarness &h, const QJsonObject &body)
{
    const auto reply = h.send("POST", QStringLiteral("/api/v1/releases"), QJsonDocument(body).toJson());
    if (reply.status != 202 || reply.json().value(QLatin1String("state")).toString() != QLatin1String("queued"))
        return 0;
    return reply.json().value(QLatin1String("id")).toInteger();
}

QString releaseState(ExportHarness &h, qint64 id)
{
    return h.get(QStringLiteral("/api/v1/releases/%1").arg(id)).json().value(QLatin1String("state")).toString();
}

bool waitForState(ExportHarness &h, qint64 id, const QString &state)
{
    return QTest::qWaitFor([&] { return releaseState(h, id) == state; }, 20000);
}

QJsonObject Release::manifest() const
{
    return QJsonDocument::fromJson(files.value(QStringLiteral("manifest.json"))).object();
}

std::optional<Release> fetchRelease(ExportHarness &h, qint64 id)
{
    if (id <= 0 || !waitForState(h, id, QStringLiteral("ready")))
        return std::nullopt;
    Release r;
    r.id = id;
    r.info = h.get(QStringLiteral("/api/v1/releases/%1").arg(id)).json();
    const auto file = h.get(QStringLiteral("/api/v1/releases/%1/file").arg(id));
    if (file.status != 200)
        return std::nullopt;
    r.zip = file.body;
    r.files = unzip(r.zip);
    return r;
}

std::optional<Release> readyRelease(ExportHarness &h, const QJsonObject &body)
{
    return fetchRelease(h, postRelease(h, body));
}

} // namespace openaps::test
