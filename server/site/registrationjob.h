#pragma once

#include "core/result.h"
#include "nightscout/client.h"
#include "openhumans/client.h"
#include "records/consent.h"

#include <QObject>
#include <QPointer>

class QNetworkAccessManager;

namespace openaps::site {

// What the participant submitted on the logged-in page.
struct Registration
{
    QString memberId;
    QString accessToken; // Open Humans
    QString url; // as typed; may hold ?token=
    QString secret; // access token or API secret, may be empty
    records::Consent consent = records::Consent::None;
    // With no secret typed: use the one in the saved URL file when the
    // address is the same site (a change of consent keeps the token).
    bool keepSavedCredential = false;
    // "Remove the saved token": write the address without one.
    bool removeCredential = false;
    // Stopping: remove the URL file altogether (consent must be None).
    bool deleteUrlFile = false;
};

// Whether `typed` names its scheme (http:// or https://). Without one the
// job tries https:// first and http:// only when that cannot connect.
bool hasScheme(const QString &typed);

// The credential the participant typed, told apart by shape: Nightscout
// access tokens are "<name>-<16 hex digits>"; anything else is an API secret.
ns::Credentials credentialsFrom(const QString &typed, const ns::SiteUrl &site);

// Saves a participant's Nightscout address and consent: normalise the
// address, probe the site right away (unless nothing is shared), then
// replace the URL file and the consent file in their Open Humans account
// (delete by name, then upload, so older copies go too).
class RegistrationJob final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RegistrationJob)

public:
    enum class Stage { Address, Probe, OpenHumans };
    struct Saved
    {
        QString nightscoutUrl; // without credentials; empty when no URL file was written
        records::Consent consent = records::Consent::None;
        bool credentialSaved = false; // the URL file written carries a token or API secret
    };

    RegistrationJob(QNetworkAccessManager *nam, const oh::Client &openHumans, ns::ClientOptions probeOptions,
                    Registration registration, QObject *parent);

    void start();
    const Result<Saved> &result() const { return m_result; }
    Stage failedStage() const { return m_failedStage; }

signals:
    void finished();

private:
    void deleteUrlFile();
    void readSavedCredential();
    void checkSite();
    void probe();
    void writeUrlFile();
    void writeConsentFile();
    void replaceFile(const QString &basename, const QByteArray &content, const QString &description,
                     const QStringList &tags, std::function<void()> next);
    void fail(Stage stage, const Error &error);
    void finish(Result<Saved> result);

    QNetworkAccessManager *m_nam;
    oh::Client m_openHumans;
    ns::ClientOptions m_probeOptions;
    Registration m_input;
    ns::SiteUrl m_site;
    ns::Credentials m_credentials;
    bool m_triedHttp = false;
    Error m_httpsError;
    QPointer<ns::Client> m_nightscout;
    Saved m_saved;
    Stage m_failedStage = Stage::Address;
    Result<Saved> m_result { makeError("pending", QStringLiteral("Saving has not finished.")) };
};

} // namespace openaps::site
