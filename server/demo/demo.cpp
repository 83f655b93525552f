#include "demo.h"

#include "api/researcherstore.h"
#include "app/commands.h"
#include "app/shutdown.h"
#include "crypto/secrets.h"
#include "db/migrations.h"
#include "nightscout/collection.h"
#include "nightscout/credentials.h"
#include "nightscout/siteurl.h"
#include "openhumans/client.h"
#include "records/consent.h"
#include "records/datatype.h"
#include "records/filenames.h"
#include "records/urlfile.h"
#include "site/loginjob.h"
#include "site/participantstore.h"
#include "site/registrationjob.h"
#include "site/sitesettings.h"
#include "standins/nightscoutstandin.h"
#include "standins/openhumansstandin.h"
#include "standins/smtpstandin.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QTextStream>

namespace openaps::demo {

Q_LOGGING_CATEGORY(lcDemo, "openaps.server.demo", QtInfoMsg)

namespace {

// Each synthetic participant differs in loop, time zone, how their site is
// secured and what they share, so the demo shows every path.
struct Persona
{
    synthetic::LoopFlavour flavour;
    const char *timeZone;
    ns::Credentials::Kind auth;
    records::Consent consent;
};

const Persona personas[] = {
    { synthetic::LoopFlavour::OpenAPS, "Europe/London", ns::Credentials::Kind::None, records::Consent::Both },
    { synthetic::LoopFlavour::Loop, "America/Los_Angeles", ns::Credentials::Kind::AccessToken,
      records::Consent::OpenAps },
    { synthetic::LoopFlavour::AndroidAPS, "Australia/Sydney", ns::Credentials::Kind::ApiSecret, records::Consent::Nsf },
};

const QString demoAccessToken = QStringLiteral("demo-1f2e3d4c5b6a7988");
const QString demoApiSecret = QStringLiteral("demo-api-secret-2024");
const QString demoAdminEmail = QStringLiteral("admin@demo.invalid");
const QString legacySite = QStringLiteral("legacy");
// The old system's whole-history files end this many days before now: the
// ingest brings the rest as segments.
constexpr int legacyFilesEndDaysAgo = 2;

QString siteName(int index)
{
    return QStringLiteral("p%1").arg(index + 1);
}

// The demo keeps its secret key in the data directory, so a restart can read
// what it stored; everything else starts fresh.
QByteArray demoSecretKey(const QDir &dir)
{
    QFile file(dir.filePath(QStringLiteral("demo-secret.key")));
    if (file.open(QIODevice::ReadOnly)) {
        QByteArray key = file.readAll().trimmed();
        if (key.size() >= 32)
            return key;
        file.close();
    }
    QByteArray key = crypto::randomToken(36).toLatin1();
    if (file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        file.write(key + '\n');
    }
    return key;
}

} // namespace

Demo::Demo(Options options, QObject *parent) : QObject(parent), m_options(std::move(options)) { }

Demo::~Demo()
{
    // The SMTP stand-in answers on this thread: it goes before the server,
    // which waits for its mail thread (a mail still talking to the stand-in
    // would otherwise hold the shutdown until libcurl's timeout).
    m_smtp.reset();
    m_runtime.reset();
}

Result<Config> Demo::makeConfig() const
{
    QDir dir(m_options.dataDir);
    if (!dir.mkpath(QStringLiteral(".")))
        return makeError("demo", QStringLiteral("Cannot create the data directory %1.").arg(m_options.dataDir));
    // The stand-ins live in memory, so the database must start empty too.
    for (const char *name : { "openaps.db", "openaps.db-wal", "openaps.db-shm" })
        QFile::remove(dir.filePath(QString::fromLatin1(name)));

    const standins::OpenHumansStandIn::Options &oh = m_openHumans->options();
    QMap<QString, QString> values {
        { QStringLiteral("DATA_DIR"), dir.absolutePath() },
        { QStringLiteral("DATABASE_URL"),
          QLatin1String("sqlite://") + dir.absoluteFilePath(QStringLiteral("openaps.db")) },
        { QStringLiteral("HTTP_ADDRESS"), QStringLiteral("127.0.0.1") },
        { QStringLiteral("HTTP_PORT"), QString::number(m_options.port) },
        { QStringLiteral("PUBLIC_URL"), QStringLiteral("http://127.0.0.1:%1").arg(m_options.port) },
        { QStringLiteral("SECRET_KEY"), QString::fromLatin1(demoSecretKey(dir)) },
        { QStringLiteral("OH_BASE_URL"), m_openHumans->baseUrl().toString() },
        { QStringLiteral("OH_CLIENT_ID"), oh.clientId },
        { QStringLiteral("OH_CLIENT_SECRET"), oh.clientSecret },
        { QStringLiteral("OH_WEBHOOK_SECRET"), QString::fromLatin1(oh.webhookSecret) },
        // Serves the member of the old Data Commons (addLegacyMember).
        { QStringLiteral("OH_MASTER_TOKEN"), m_masterToken },
        // The Nightscout stand-in listens on 127.0.0.1.
        { QStringLiteral("NIGHTSCOUT_ALLOW_LOOPBACK"), QStringLiteral("1") },
        { QStringLiteral("INGEST_INTERVAL"), QStringLiteral("1m") },
        // Loads what ingest wrote well within a minute.
        { QStringLiteral("ETL_INTERVAL"), QStringLiteral("30s") },
        // The researcher API mails its codes to the loopback SMTP stand-in.
        { QStringLiteral("SMTP_URL"), m_smtp->smtpUrl().toString() },
        { QStringLiteral("MAIL_FROM"), QStringLiteral("data-commons@demo.invalid") },
    };
    // The operator's own settings win over the demo's choices, so webhook
    // secrets, survey CSV URLs, mail and intervals can be tried here.
    for (const ConfigKey &k : Config::knownKeys()) {
        if (m_options.environment.isSet(k.name) && !ownedSettings().contains(k.name))
            values.insert(k.name, m_options.environment.value(k.name));
    }
    Config config = Config::fromValues(values);
    if (auto valid = config.validate(true); !valid)
        return valid.error();
    return config;
}

const QStringList &Demo::ownedSettings()
{
    static const QStringList owned {
        QStringLiteral("DATA_DIR"),     QStringLiteral("DATABASE_URL"),     QStringLiteral("HTTP_ADDRESS"),
        QStringLiteral("HTTP_PORT"),    QStringLiteral("PUBLIC_URL"),       QStringLiteral("OH_BASE_URL"),
        QStringLiteral("OH_CLIENT_ID"), QStringLiteral("OH_CLIENT_SECRET"), QStringLiteral("OH_MASTER_TOKEN"),
    };
    return owned;
}

void Demo::start(const std::function<void(Result<Urls>)> &ready)
{
    // Open Humans must know the site's callback before anyone logs in.
    standins::OpenHumansStandIn::Options ohOptions;
    ohOptions.redirectUri = QUrl(QStringLiteral("http://127.0.0.1:%1/oauth/callback").arg(m_options.port));
    // A fresh webhook secret every run, known to both sides: the stand-in
    // signs its deauthorisation notices as Open Humans does.
    ohOptions.webhookUrl = QUrl(QStringLiteral("http://127.0.0.1:%1/deauth").arg(m_options.port));
    ohOptions.webhookSecret = crypto::randomToken(24).toLatin1();
    m_openHumans = std::make_unique<standins::OpenHumansStandIn>(ohOptions, &m_nam);
    m_nightscout = std::make_unique<standins::NightscoutStandIn>();
    if (auto port = m_openHumans->listen(); !port)
        return ready(port.error());
    if (auto port = m_nightscout->listen(); !port)
        return ready(port.error());
    m_smtp = std::make_unique<standins::SmtpStandIn>();
    if (auto port = m_smtp->listen(); !port)
        return ready(port.error());
    if (auto port = m_smtp->listenMailbox(); !port)
        return ready(port.error());

    // Synthetic sites: two weeks of history, then data keeps arriving in
    // real time because the generator runs a year into the future and the
    // ingest only ever asks up to "now".
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (int i = 0; i <= m_options.participants; ++i) {
        const Persona &persona = personas[i % std::size(personas)];
        synthetic::Options options;
        options.seed = 1000 + quint64(i);
        options.start = now.addDays(-m_options.historyDays);
        options.end = now.addDays(365);
        options.timeZone = QTimeZone(persona.timeZone);
        options.flavour = persona.flavour;
        auto generator = std::make_shared<const synthetic::Generator>(options);
        m_generators.push_back(generator);
        // The last site is left for a newcomer to register through the site.
        standins::NightscoutSite &site = m_nightscout->site(i < m_options.participants ? siteName(i)
                                                                                       : QStringLiteral("newcomer"));
        site.store().serveGenerated(generator);
        if (i < m_options.participants && persona.auth == ns::Credentials::Kind::AccessToken)
            site.requireToken(demoAccessToken);
        else if (i < m_options.participants && persona.auth == ns::Credentials::Kind::ApiSecret)
            site.requireApiSecret(demoApiSecret);
    }

    const QString legacyMember = addLegacyMember(now);
    // Expiry turned off, as the README advises for a project's master token.
    m_masterToken = m_openHumans->issueMasterToken(std::chrono::seconds(0));
    auto config = makeConfig();
    if (!config)
        return ready(config.error());
    m_config = *config;
    auto url = db::DatabaseUrl::parse(m_config->databaseUrl());
    if (!url)
        return ready(url.error());
    db::Database database(*url);
    if (auto migrated = db::migrate(database); !migrated)
        return ready(migrated.error());
    if (auto admin = createAdmin(database); !admin)
        return ready(admin.error());

    registerParticipants([this, database, ready, legacyMember](const Status &registered) {
        if (!registered)
            return ready(registered.error());
        m_runtime = std::make_unique<app::ServerRuntime>(*m_config, database);
        if (auto started = m_runtime->start(app::Roles {}); !started)
            return ready(started.error());
        Urls urls;
        urls.site = QUrl(QStringLiteral("http://127.0.0.1:%1/").arg(m_runtime->webPort()));
        urls.health = urls.site.resolved(QUrl(QStringLiteral("/healthz")));
        urls.openHumans = m_openHumans->baseUrl();
        urls.api = urls.site.resolved(QUrl(QStringLiteral("/api/v1")));
        urls.mailbox = m_smtp->mailboxUrl();
        urls.adminEmail = demoAdminEmail;
        urls.adminPassword = m_adminPassword;
        for (const ConfigKey &k : Config::knownKeys()) {
            if (m_options.environment.isSet(k.name) && !ownedSettings().contains(k.name))
                urls.fromEnvironment << k.name;
        }
        urls.mailToStandIn = !m_options.environment.isSet(QStringLiteral("SMTP_URL"));
        for (int i = 0; i < m_options.participants; ++i) {
            const Persona &persona = personas[i % std::size(personas)];
            QString line = m_nightscout->url(siteName(i)).toString();
            if (persona.auth == ns::Credentials::Kind::AccessToken)
                line += QStringLiteral("  (needs the access token %1)").arg(demoAccessToken);
            else if (persona.auth == ns::Credentials::Kind::ApiSecret)
                line += QStringLiteral("  (needs the API secret %1)").arg(demoApiSecret);
            else
                line += QStringLiteral("  (open)");
            line += QStringLiteral(", registered, shares: %1").arg(records::consentValue(persona.consent));
            urls.nightscout << line;
        }
        urls.nightscout << m_nightscout->url(legacySite).toString()
                        + QStringLiteral("  (open), Open Humans member %1 of the old Data Commons, never logged in "
                                         "here: served with the master token, shares: openaps (the old default)")
                                  .arg(legacyMember);
        urls.nightscout << m_nightscout->url(QStringLiteral("newcomer")).toString()
                        + QStringLiteral("  (open, not registered: register it through the site)");
        ready(urls);
    });
}

// A member of the old Data Commons who never logged in here: in their Open
// Humans account the old system's whole-history files (`<ms>_<member>_<type>.json`,
// up to two days ago) and the URL file of their open Nightscout site, but no
// consent file (the old default, OpenAPS) and no participants row. With the
// master token the ETL loads the files and the ingest adds the last days as
// segments.
QString Demo::addLegacyMember(const QDateTime &now)
{
    synthetic::Options options;
    options.seed = 2000;
    options.start = now.addDays(-m_options.historyDays);
    options.end = now.addDays(365);
    options.timeZone = QTimeZone("Europe/Berlin");
    options.flavour = synthetic::LoopFlavour::OpenAPS;
    auto generator = std::make_shared<const synthetic::Generator>(options);
    m_generators.push_back(generator);
    m_nightscout->site(legacySite).store().serveGenerated(generator);

    QString member = m_openHumans->addMember();
    const auto siteUrl = ns::SiteUrl::parse(m_nightscout->url(legacySite).toString());
    m_openHumans->addFile(member, records::urlFileName(member), records::urlFileContent(*siteUrl, ns::Credentials()),
                          QStringLiteral("Nightscout URL"), { QStringLiteral("nightscout") });
    const QDateTime end = now.addDays(-legacyFilesEndDaysAgo);
    const std::pair<ns::Collection, records::DataType> types[] = {
        { ns::Collection::Entries, records::DataType::Entries },
        { ns::Collection::Treatments, records::DataType::Treatments },
        { ns::Collection::DeviceStatus, records::DataType::DeviceStatus },
        { ns::Collection::Profiles, records::DataType::Profile },
    };
    for (const auto &[collection, type] : types) {
        QByteArray lines;
        generator->generate(collection, options.start, end, [&lines](const QJsonObject &record) {
            lines += QJsonDocument(record).toJson(QJsonDocument::Compact) + '\n';
        });
        m_openHumans->addFile(
                member,
                QStringLiteral("%1_%2_%3.json")
                        .arg(QString::number(end.toMSecsSinceEpoch()), member, records::dataTypeName(type)),
                lines, QStringLiteral("Nightscout data (the old Data Commons)"),
                { QStringLiteral("nightscout"), records::dataTypeName(type) });
    }
    return member;
}

// An approved administrator researcher with a password new every run, so
// the desktop downloader can sign in and approve applications at once.
Status Demo::createAdmin(const db::Database &database)
{
    m_adminPassword = crypto::randomToken(12);
    auto hash = crypto::hashPassword(m_adminPassword);
    if (!hash)
        return hash.error();
    api::Account admin;
    admin.email = demoAdminEmail;
    admin.name = QStringLiteral("Demo Administrator");
    admin.institution = QStringLiteral("OpenAPS Data Commons demo");
    admin.purpose = QStringLiteral("demo");
    admin.status = api::status::approved;
    admin.scope = QStringLiteral("all");
    admin.isAdmin = true;
    admin.passwordHash = *hash;
    auto id = api::ResearcherStore(database).create(admin, QDateTime::currentMSecsSinceEpoch());
    return id ? Status() : Status(id.error());
}

// Registers each synthetic participant the way the site would: an Open
// Humans member with the URL and consent files, and tokens from a real
// OAuth code exchange stored (encrypted) in the participants table.
void Demo::registerParticipants(const std::function<void(Status)> &done)
{
    auto url = db::DatabaseUrl::parse(m_config->databaseUrl());
    const db::Database database(*url);
    const QUrl redirectUri = site::SiteSettings::fromConfig(*m_config).redirectUri();
    auto client = std::make_shared<oh::Client>(&m_nam, oh::Client::settingsFromConfig(*m_config, redirectUri));
    auto pending = std::make_shared<int>(m_options.participants);
    auto failed = std::make_shared<bool>(false);
    if (*pending == 0)
        return done({});

    for (int i = 0; i < m_options.participants; ++i) {
        const Persona &persona = personas[i % std::size(personas)];
        const QString member = m_openHumans->addMember();
        auto siteUrl = ns::SiteUrl::parse(m_nightscout->url(siteName(i)).toString());
        const ns::Credentials credentials = persona.auth == ns::Credentials::Kind::AccessToken
                ? ns::Credentials::accessToken(demoAccessToken)
                : persona.auth == ns::Credentials::Kind::ApiSecret ? ns::Credentials::apiSecret(demoApiSecret)
                                                                   : ns::Credentials();
        m_openHumans->addFile(member, records::urlFileName(member), records::urlFileContent(*siteUrl, credentials),
                              QStringLiteral("Nightscout URL"), { QStringLiteral("nightscout") });
        m_openHumans->addFile(member, records::consentFileName(member), records::consentValue(persona.consent).toUtf8(),
                              QStringLiteral("Data sharing consent"), { QStringLiteral("consent") });

        auto *job = client->exchangeCode(m_openHumans->approve(member, redirectUri), this);
        connect(job, &oh::TokenJob::finished, this,
                [this, job, client, member, database, siteUrl, persona, pending, failed, done] {
                    if (*failed)
                        return;
                    Status status;
                    if (!job->result()) {
                        status = job->result().error();
                    } else {
                        site::ParticipantStore store(database, m_config->secretKey());
                        site::ParticipantStore::Login login;
                        login.memberId = member;
                        login.tokens = *job->result();
                        login.urlFileCount = 1;
                        login.nightscoutUrl = siteUrl->baseUrl().toString();
                        login.consent = records::consentValue(persona.consent);
                        if (auto recorded = store.recordLogin(login); !recorded)
                            status = recorded.error();
                    }
                    if (!status) {
                        *failed = true;
                        return done(status);
                    }
                    if (--*pending == 0)
                        done({});
                });
        job->start();
    }
}

int demoCommand(const Config &config, const QStringList &arguments)
{
    Demo::Options options;
    options.environment = config;
    if (config.isSet(QStringLiteral("HTTP_PORT")))
        options.port = config.httpPort();
    options.dataDir = config.value(QStringLiteral("DATA_DIR"));
    if (options.dataDir.isEmpty())
        options.dataDir = QDir::temp().filePath(QStringLiteral("openaps-demo"));
    for (int i = 0; i < arguments.size(); i += 2) { // an option and its value
        const QString &argument = arguments.at(i);
        const QString value = i + 1 < arguments.size() ? arguments.at(i + 1) : QString();
        bool ok = true;
        if (argument == QLatin1String("--data-dir") && !value.isEmpty()) {
            options.dataDir = value;
        } else if (argument == QLatin1String("--port") && !value.isEmpty()) {
            const uint port = value.toUInt(&ok);
            ok = ok && port <= 65535;
            options.port = quint16(port);
        } else if (argument == QLatin1String("--participants") && !value.isEmpty()) {
            options.participants = value.toInt(&ok);
            ok = ok && options.participants >= 0 && options.participants <= 100;
        } else {
            app::printError(QStringLiteral("demo takes --data-dir DIR, --port PORT and --participants N (0 to 100); "
                                           "'%1' is not one of them.")
                                    .arg(argument));
            return 2;
        }
        if (!ok) {
            app::printError(QStringLiteral("%1 %2 is not valid.").arg(argument, value));
            return 2;
        }
    }

    QElapsedTimer started;
    started.start();
    Demo demo(options);
    int exitCode = 0;
    demo.start([&](Result<Demo::Urls> urls) {
        if (!urls) {
            app::printError(urls.error().message);
            exitCode = 1;
            QCoreApplication::exit(1);
            return;
        }
        // The demo's whole point is these addresses, so they go to stdout
        // (logs with their URL redaction go to stderr).
        QTextStream out(stdout);
        out << "\nOpenAPS Data Commons demo is running (started in " << started.elapsed() << " ms).\n\n"
            << "  Participant site:    " << urls->site.toString() << '\n'
            << "  Health:              " << urls->health.toString() << '\n'
            << "  Open Humans stand-in: " << urls->openHumans.toString() << '\n'
            << "  Researcher API:      " << urls->api.toString() << "  admin: " << urls->adminEmail << " / "
            << urls->adminPassword << '\n'
            << "  Mailbox:             "
            << (urls->mailToStandIn ? urls->mailbox.toString() + QStringLiteral("  (emails the API sent, with codes)")
                                    : QStringLiteral("none: mail goes to OPENAPS_SMTP_URL"))
            << '\n'
            << "  Your settings:       "
            << (urls->fromEnvironment.isEmpty()
                        ? QStringLiteral("none (the demo's own)")
                        : QStringLiteral("OPENAPS_") + urls->fromEnvironment.join(QLatin1String(", OPENAPS_")))
            << '\n'
            << "  Nightscout stand-ins:\n";
        for (const QString &line : std::as_const(urls->nightscout))
            out << "    " << line << '\n';
        out << "\nOpen the participant site, log in with Open Humans (the stand-in's Approve\n"
            << "button), and register the 'newcomer' Nightscout address. Ingest runs every\n"
            << "minute, ETL every 30 seconds; try:  curl '" << urls->nightscout.first().section(QLatin1Char(' '), 0, 0)
            << "/api/v1/entries.json?count=3'\n"
            << "Data directory: " << options.dataDir << "   Stop with Ctrl-C.\n"
            << Qt::endl;
    });
    app::quitOnTerminationSignals();
    const int code = QCoreApplication::exec();
    return exitCode ? exitCode : code;
}

} // namespace openaps::demo
