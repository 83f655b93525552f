#include "ingestharness.h"

#include "db/migrations.h"
#include "ingest/filelayout.h"
#include "ingest/recordprep.h"
#include "records/datatype.h"
#include "records/filenames.h"
#include "records/ndjsonreader.h"
#include "synthetic/generator.h"

#include <QBuffer>
#include <QEventLoop>
#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTest>
#include <QTimer>
#include <QUrlQuery>

namespace openaps::test::ingest {

namespace {

// Every record line of an NDJSON body, plain or gzip.
QList<QJsonObject> parseLines(const QByteArray &body)
{
    QBuffer buffer;
    buffer.setData(body);
    buffer.open(QIODevice::ReadOnly);
    records::NdjsonReader reader(&buffer);
    QList<QJsonObject> out;
    while (auto record = reader.next())
        out.append(QJsonDocument::fromJson(record->bytes).object());
    return out;
}

} // namespace

QList<QJsonObject> syntheticRecords(quint64 seed, records::DataType type, const QDateTime &from, const QDateTime &to,
                                    int messLevel)
{
    openaps::synthetic::Options o;
    o.seed = seed;
    o.start = QDateTime(QDate(2023, 6, 1), QTime(0, 0), Qt::UTC);
    o.end = QDateTime(QDate(2040, 1, 1), QTime(0, 0), Qt::UTC); // the machine clock may be anywhere
    o.messLevel = messLevel;
    return openaps::synthetic::Generator(o).records(collectionOf(type), from, to);
}

bool waitUntil(const std::function<bool()> &condition, int timeoutMs)
{
    QEventLoop loop;
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
        if (condition())
            loop.quit();
    });
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    if (condition())
        return true;
    poll.start(2);
    loop.exec();
    return condition();
}

Harness::Harness(const QString &backend) : tdb(backend), database(tdb.database())
{
    QStandardPaths::setTestModeEnabled(true);
    if (!tdb.isValid())
        return;
    if (auto migrated = db::migrate(database); !migrated) {
        qWarning("%s", qPrintable(migrated.error().message));
        return;
    }
    if (!nightscout.listen())
        return;
    standins::OpenHumansStandIn::Options options;
    openHumans = std::make_unique<standins::OpenHumansStandIn>(options, &nam);
    if (!openHumans->listen())
        return;
    ohSettings.baseUrl = openHumans->baseUrl();
    ohSettings.clientId = options.clientId;
    ohSettings.clientSecret = options.clientSecret;
    ohSettings.requestTimeout = std::chrono::milliseconds(3000);
    ohSettings.firstBackoff = std::chrono::milliseconds(10);
    ohSettings.maxAttempts = 3;
    client = std::make_unique<oh::Client>(&nam, ohSettings);
    tokens = std::make_unique<jobs::OhSession>(database, *client, kSecretKey);
    tokens->setLeaseWait(std::chrono::milliseconds(50), 20);
    store = std::make_unique<IngestStore>(database);
    settings.secretKey = kSecretKey;
    settings.holder = QStringLiteral("test");
    settings.clock = [this] { return now; };
    settings.nightscout.timeout = std::chrono::milliseconds(1500);
    settings.nightscout.firstBackoff = std::chrono::milliseconds(10);
    settings.nightscout.maxAttempts = 3;
    settings.nightscout.pageSize = 100;
    settings.nightscout.addresses = ns::AddressScope::AllowLoopback; // the Nightscout stand-in is on 127.0.0.1
    m_valid = true;
}

Harness::~Harness()
{
    tokens.reset();
    database.closeConnection();
}

Member Harness::addMember(const QString &consent)
{
    Member m;
    m.site = QStringLiteral("p%1").arg(++m_members);
    m.memberId = openHumans->addMember();
    auto connection = database.connection();
    QSqlQuery q(*connection);
    q.prepare(QStringLiteral("INSERT INTO participants (member_id) VALUES (?)"));
    q.addBindValue(m.memberId);
    if (!q.exec())
        qFatal("participant insert: %s", qPrintable(q.lastError().text()));
    QSqlQuery id(*connection);
    id.prepare(QStringLiteral("SELECT id FROM participants WHERE member_id = ?"));
    id.addBindValue(m.memberId);
    if (!id.exec() || !id.next())
        qFatal("participant id: %s", qPrintable(id.lastError().text()));
    m.id = id.value(0).toLongLong();
    const auto grant = openHumans->store().issueTokens(m.memberId);
    oh::TokenPair pair;
    pair.accessToken = grant.accessToken;
    pair.refreshToken = grant.refreshToken;
    pair.expiresAt = QDateTime::currentDateTimeUtc().addSecs(grant.expiresIn);
    if (auto s = tokens->store(m.id, pair); !s)
        qFatal("tokens: %s", qPrintable(s.error().message));
    nightscout.site(m.site).setOpen();
    writeConsentFile(m, consent);
    writeUrlFile(m);
    return m;
}

// Not const: they change the stand-in's files (through a pointer member).
// NOLINTNEXTLINE(readability-make-member-function-const)
void Harness::writeUrlFile(const Member &m, const QString &query)
{
    openHumans->store().deleteFiles(m.memberId, standins::OpenHumansStore::DeleteBy::Basename, urlFileName(m.memberId));
    const QString url = nightscout.url(m.site).toString() + query;
    openHumans->addFile(m.memberId, urlFileName(m.memberId), url.toUtf8());
}

// NOLINTNEXTLINE(readability-make-member-function-const)
void Harness::writeConsentFile(const Member &m, const QString &consent)
{
    openHumans->store().deleteFiles(m.memberId, standins::OpenHumansStore::DeleteBy::Basename,
                                    consentFileName(m.memberId));
    openHumans->addFile(m.memberId, consentFileName(m.memberId), consent.toUtf8());
}

ParticipantIngest *Harness::start(const Member &m)
{
    auto *job = new ParticipantIngest(&nam, tokens.get(), store.get(), &gate, settings, m.id);
    job->setProperty("finished", false);
    QObject::connect(job, &ParticipantIngest::finished, job, [job] { job->setProperty("finished", true); });
    job->start();
    return job;
}

ParticipantReport Harness::wait(ParticipantIngest *job, int timeoutMs)
{
    // A local loop, not QTest::qWaitFor: that one sleeps between event
    // rounds, which would dominate runs of many small requests.
    if (!job->property("finished").toBool()) {
        QEventLoop loop;
        QObject::connect(job, &ParticipantIngest::finished, &loop, &QEventLoop::quit, Qt::QueuedConnection);
        QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
        loop.exec();
    }
    if (!job->property("finished").toBool())
        qWarning("participant run did not finish within %d ms", timeoutMs);
    ParticipantReport report = job->report();
    delete job;
    return report;
}

QList<QJsonObject> Harness::storedRecords(const Member &m, records::DataType type) const
{
    QList<QJsonObject> out;
    const auto files = openHumans->files(m.memberId);
    for (const auto &file : files) {
        if (segmentMonth(file.basename, m.memberId, type))
            out += parseLines(file.content);
    }
    return out;
}

QHash<QByteArray, int> Harness::storedIds(const Member &m, records::DataType type) const
{
    QHash<QByteArray, int> ids;
    const auto records = storedRecords(m, type);
    for (const QJsonObject &r : records)
        ++ids[recordId(r)];
    return ids;
}

QSet<QByteArray> Harness::listedIds(const Member &m, records::DataType type, const QDateTime &upTo) const
{
    const ns::Collection c = collectionOf(type);
    const QString field = ns::dateField(c);
    QUrlQuery query;
    query.addQueryItem(QLatin1String("find[") + field + QLatin1String("][$gt]"),
                       ns::boundValue(c, QDateTime::fromMSecsSinceEpoch(0, Qt::UTC)));
    query.addQueryItem(QLatin1String("find[") + field + QLatin1String("][$lte]"), ns::boundValue(c, upTo));
    query.addQueryItem(QStringLiteral("count"), QStringLiteral("0"));
    QSet<QByteArray> ids;
    const auto records = nightscout.site(m.site).store().query(c, query, upTo);
    if (!records)
        qWarning("oracle query: %s", qPrintable(records.error().message));
    else
        for (const QJsonObject &r : *records)
            ids.insert(recordId(r));
    return ids;
}

QString Harness::exactlyOnce(const Member &m) const
{
    QStringList problems;
    for (records::DataType type : kAllTypes) {
        const QString name = records::dataTypeName(type);
        const auto stored = storedIds(m, type);
        const auto listed = listedIds(m, type, now);
        int missing = 0;
        for (const QByteArray &id : listed) {
            if (!stored.contains(id))
                ++missing;
        }
        int repeated = 0;
        int extra = 0;
        for (auto it = stored.cbegin(); it != stored.cend(); ++it) {
            if (it.value() > 1)
                ++repeated;
            if (!listed.contains(it.key()))
                ++extra;
        }
        if (missing || repeated || extra)
            problems << QStringLiteral("%1: %2 listed, %3 stored, %4 missing, %5 repeated, %6 not listed")
                                .arg(name)
                                .arg(listed.size())
                                .arg(stored.size())
                                .arg(missing)
                                .arg(repeated)
                                .arg(extra);
    }
    return problems.join(QLatin1String("; "));
}

int Harness::segmentFileCount(const Member &m) const
{
    int n = 0;
    const auto files = openHumans->files(m.memberId);
    for (const auto &file : files) {
        for (records::DataType type : kAllTypes)
            n += segmentMonth(file.basename, m.memberId, type) ? 1 : 0;
    }
    return n;
}

} // namespace openaps::test::ingest
