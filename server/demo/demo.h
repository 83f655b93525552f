#pragma once

#include "app/serverruntime.h"
#include "core/config.h"
#include "synthetic/generator.h"

#include <QDir>
#include <QNetworkAccessManager>
#include <QObject>

#include <functional>
#include <memory>
#include <vector>

namespace openaps::standins {
class NightscoutStandIn;
class OpenHumansStandIn;
class SmtpStandIn;
} // namespace openaps::standins

namespace openaps::demo {

// `openaps-demo` (its own executable; the production openaps-server carries
// no stand-in): the whole system on this machine. A loopback
// Nightscout with one synthetic site per participant (data growing in real
// time), a loopback Open Humans where those participants are already
// registered and where a member of the old Data Commons keeps files without
// ever having logged in here (the server reaches them with the project's
// master token), and the server on SQLite running the site, ingest and ETL
// every minute.
class Demo final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Demo)

public:
    struct Options
    {
        QString dataDir;
        quint16 port = 8080;
        int participants = 3;
        int historyDays = 14;
        // The operator's settings (environment, INI file): the demo uses
        // them except those it must own (ownedSettings()).
        Config environment = Config::fromValues({});
    };

    // Settings the demo always sets itself: its database starts empty with
    // the in-memory stand-ins, it listens on loopback, and the stand-ins'
    // addresses and keys are only known once they run.
    static const QStringList &ownedSettings();

    // What a newcomer needs to look at, printed at start-up.
    struct Urls
    {
        QUrl site;
        QUrl health;
        QUrl openHumans;
        QStringList nightscout; // one line per synthetic site, with how it is secured
        QUrl api; // the researcher API's base, /api/v1
        QUrl mailbox; // the SMTP stand-in's page: every email the API sent
        QString adminEmail; // an approved administrator researcher
        QString adminPassword; // generated per run
        QStringList fromEnvironment; // names of the operator's settings in use
        bool mailToStandIn = true; // false: OPENAPS_SMTP_URL from the environment
    };

    explicit Demo(Options options, QObject *parent = nullptr);
    ~Demo() override;

    // Starts everything; `ready` gets the URLs or the reason it failed.
    void start(const std::function<void(Result<Urls>)> &ready);

private:
    Result<Config> makeConfig() const;
    void registerParticipants(const std::function<void(Status)> &done);
    QString addLegacyMember(const QDateTime &now);
    Status createAdmin(const db::Database &database);

    Options m_options;
    QNetworkAccessManager m_nam;
    std::unique_ptr<standins::OpenHumansStandIn> m_openHumans;
    std::unique_ptr<standins::NightscoutStandIn> m_nightscout;
    std::unique_ptr<standins::SmtpStandIn> m_smtp;
    QString m_adminPassword;
    QString m_masterToken; // the stand-in's, for the server's OH_MASTER_TOKEN
    std::vector<std::shared_ptr<const synthetic::Generator>> m_generators;
    std::optional<Config> m_config;
    std::unique_ptr<app::ServerRuntime> m_runtime;
};

// openaps-demo's one command: [--data-dir DIR] [--port PORT] [--participants N].
int demoCommand(const Config &config, const QStringList &arguments);

} // namespace openaps::demo
