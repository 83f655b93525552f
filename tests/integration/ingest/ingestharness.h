#pragma once

// Shared set-up of the ingest integration tests: a throw-away database, the
// Nightscout and Open Humans stand-ins on loopback, participants with tokens
// and files, one-call participant runs, and the check that Open Humans holds
// every record Nightscout lists exactly once.

#include "ingest/hostgate.h"
#include "ingest/ingeststore.h"
#include "ingest/participantingest.h"
#include "jobs/ohsession.h"
#include "records/datatype.h"
#include "standins/nightscoutstandin.h"
#include "standins/openhumansstandin.h"
#include "testdatabase.h"

#include <QHash>
#include <QJsonObject>
#include <QNetworkAccessManager>

#include <functional>
#include <memory>

namespace openaps::test::ingest {

using namespace openaps::ingest;
using namespace openaps::records;

inline const QByteArray kSecretKey = QByteArrayLiteral("ingest-tests-secret-key-0123456789abcdef");

struct Member
{
    qint64 id = 0; // participants.id
    QString memberId; // Open Humans project member id
    QString site; // stand-in site name
};

class Harness
{
public:
    explicit Harness(const QString &backend);
    ~Harness();
    Harness(const Harness &) = delete;
    Harness &operator=(const Harness &) = delete;

    bool isValid() const { return m_valid; }

    // A participant: database row with a token pair, Open Humans member with
    // consent and URL files, an open Nightscout site named after them.
    Member addMember(const QString &consent = QStringLiteral("openaps"));
    // Replaces the URL file; `query` is appended to the site's URL ("?token=...").
    void writeUrlFile(const Member &m, const QString &query = {});
    void writeConsentFile(const Member &m, const QString &consent);
    standins::NightscoutSite &site(const Member &m) { return nightscout.site(m.site); }

    // Runs one ParticipantIngest to its end with the ingest clock at `now`.
    ParticipantReport run(const Member &m, int timeoutMs = 120000) { return wait(start(m), timeoutMs); }
    // The same in two steps, for tests that act while it runs.
    ParticipantIngest *start(const Member &m);
    ParticipantReport wait(ParticipantIngest *job, int timeoutMs = 120000);

    // Record id → how many times it is stored in the member's segment files.
    QHash<QByteArray, int> storedIds(const Member &m, records::DataType type) const;
    QList<QJsonObject> storedRecords(const Member &m, records::DataType type) const;
    // Ids the site lists with a time up to `upTo` (the ingest's oracle).
    QSet<QByteArray> listedIds(const Member &m, records::DataType type, const QDateTime &upTo) const;
    // Empty when every listed record of every type is stored exactly once and
    // nothing else is; otherwise what is wrong.
    QString exactlyOnce(const Member &m) const;
    int segmentFileCount(const Member &m) const;

    QDateTime now = QDateTime(QDate(2024, 3, 10), QTime(12, 0), Qt::UTC);

    TestDatabase tdb;
    db::Database database;
    QNetworkAccessManager nam;
    mutable standins::NightscoutStandIn nightscout; // site() creates on first use
    std::unique_ptr<standins::OpenHumansStandIn> openHumans;
    oh::Settings ohSettings;
    std::unique_ptr<oh::Client> client;
    std::unique_ptr<jobs::OhSession> tokens;
    std::unique_ptr<IngestStore> store;
    HostGate gate;
    IngestSettings settings;

private:
    bool m_valid = false;
    int m_members = 0;
};

// Spins the event loop (without QTest's pauses) until `condition` holds.
bool waitUntil(const std::function<bool()> &condition, int timeoutMs = 30000);

// Records of `type` kept by a synthetic participant for [from, to).
QList<QJsonObject> syntheticRecords(quint64 seed, records::DataType type, const QDateTime &from, const QDateTime &to,
                                    int messLevel = 1);

} // namespace openaps::test::ingest
