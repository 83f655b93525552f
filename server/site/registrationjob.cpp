#include "site/registrationjob.h"

#include "nightscout/probejob.h"
#include "records/consent.h"
#include "records/filenames.h"
#include "records/urlfile.h"
#include "site/jobchain.h"
#include "site/loginjob.h"
#include "site/participantstore.h"
#include "site/sitelog.h"

#include <QRegularExpression>

namespace openaps::site {

ns::Credentials credentialsFrom(const QString &typed, const ns::SiteUrl &site)
{
    const QString value = typed.trimmed();
    if (value.isEmpty())
        return site.token().isEmpty() ? ns::Credentials() : ns::Credentials::accessToken(site.token());
    // Nightscout makes tokens from the subject name and 16 hex digits of a hash.
    static const QRegularExpression tokenShape(QStringLiteral("^[A-Za-z0-9_.]+(-[A-Za-z0-9_.]+)*-[0-9a-f]{16}$"));
    if (tokenShape.match(value).hasMatch())
        return ns::Credentials::accessToken(value);
    return ns::Credentials::apiSecret(value);
}

RegistrationJob::RegistrationJob(QNetworkAccessManager *nam, const oh::Client &openHumans,
                                 ns::ClientOptions probeOptions, Registration registration, QObject *parent)
    : QObject(parent),
      m_nam(nam),
      m_openHumans(openHumans),
      m_probeOptions(std::move(probeOptions)),
      m_input(std::move(registration))
{ }

bool hasScheme(const QString &typed)
{
    static const QRegularExpression scheme(QStringLiteral("^\\s*[a-zA-Z][a-zA-Z0-9+.-]*://"));
    return scheme.match(typed).hasMatch();
}

void RegistrationJob::start()
{
    m_saved.consent = m_input.consent;
    // Withdrawing consent must work even when the site is down or the
    // address is gone, so with "none" the address is optional and unchecked.
    if (m_input.consent == records::Consent::None && m_input.deleteUrlFile)
        return deleteUrlFile();
    if (m_input.consent == records::Consent::None && m_input.url.trimmed().isEmpty())
        return writeConsentFile();
    auto site = ns::SiteUrl::parse(m_input.url); // https:// when no scheme was typed
    if (!site)
        return fail(Stage::Address, site.error());
    m_site = *site;
    m_credentials = m_input.removeCredential && m_input.secret.trimmed().isEmpty()
            ? ns::Credentials()
            : credentialsFrom(m_input.secret, m_site);
    if (m_credentials.isEmpty() && m_input.keepSavedCredential && !m_input.removeCredential)
        return readSavedCredential();
    checkSite();
}

void RegistrationJob::deleteUrlFile()
{
    auto *remove = m_openHumans.deleteFiles(m_input.accessToken,
                                            oh::DeleteTarget::basename(records::urlFileName(m_input.memberId)), this);
    runJob(remove, this, [this](const Status &removed) {
        if (!removed)
            return fail(Stage::OpenHumans, removed.error());
        writeConsentFile();
    });
}

void RegistrationJob::readSavedCredential()
{
    // The credential lives only in the participant's Open Humans account.
    runJob(m_openHumans.exchangeMember(m_input.accessToken, this), this, [this](const Result<oh::Member> &member) {
        if (!member)
            return fail(Stage::OpenHumans, member.error());
        int count = 0;
        const auto file = newestFile(member->files, records::urlFileSuffix, &count);
        if (!file)
            return checkSite();
        runJob(m_openHumans.downloadAll(m_input.accessToken, *file, 16 * 1024, this), this,
               [this](const Result<oh::DownloadResult> &download) {
                   if (!download)
                       return fail(Stage::OpenHumans, download.error());
                   const auto saved = records::parseUrlFile(QString::fromUtf8(download->body));
                   // Never hand one site's token to another address.
                   if (saved
                       && nightscoutSiteKey(saved->site.baseUrl().toString())
                               == nightscoutSiteKey(m_site.baseUrl().toString()))
                       m_credentials = saved->credentials;
                   checkSite();
               });
    });
}

void RegistrationJob::checkSite()
{
    if (m_input.consent == records::Consent::None)
        return writeUrlFile();
    probe();
}

void RegistrationJob::probe()
{
    m_nightscout = new ns::Client(m_nam, m_site, m_credentials, m_probeOptions, this);
    auto *job = m_nightscout->probe();
    connect(job, &ns::ProbeJob::finished, this, [this, job] {
        const ns::ProbeResult result = job->result();
        if (result.ok())
            return writeUrlFile();
        // Typed without a scheme and https:// could not connect: many
        // self-hosted sites answer only on http://.
        if (result.outcome == ns::ProbeResult::Outcome::Unreachable && !m_triedHttp && !hasScheme(m_input.url)
            && m_site.baseUrl().scheme() == QLatin1String("https")) {
            QUrl http = m_site.baseUrl();
            http.setScheme(QStringLiteral("http"));
            if (auto site = ns::SiteUrl::parse(http.toString()); site) {
                m_triedHttp = true;
                m_httpsError = result.error();
                m_site = *site;
                m_nightscout->deleteLater();
                return probe();
            }
        }
        // When http:// failed too, the https:// answer is the one to explain.
        fail(Stage::Probe,
             m_triedHttp && result.outcome == ns::ProbeResult::Outcome::Unreachable ? m_httpsError : result.error());
    });
    job->start();
}

void RegistrationJob::writeUrlFile()
{
    m_saved.nightscoutUrl = m_site.baseUrl().toString();
    m_saved.credentialSaved = !m_credentials.isEmpty();
    replaceFile(records::urlFileName(m_input.memberId), records::urlFileContent(m_site, m_credentials),
                QStringLiteral("Nightscout URL for the OpenAPS Data Commons"),
                { QStringLiteral("nightscout"), QStringLiteral("url") }, [this] { writeConsentFile(); });
}

void RegistrationJob::writeConsentFile()
{
    replaceFile(records::consentFileName(m_input.memberId), records::consentValue(m_input.consent).toUtf8(),
                QStringLiteral("Data sharing consent for the OpenAPS Data Commons"), { QStringLiteral("consent") },
                [this] { finish(m_saved); });
}

void RegistrationJob::replaceFile(const QString &basename, const QByteArray &content, const QString &description,
                                  const QStringList &tags, std::function<void()> next)
{
    auto *remove = m_openHumans.deleteFiles(m_input.accessToken, oh::DeleteTarget::basename(basename), this);
    runJob(remove, this, [this, basename, content, description, tags, next = std::move(next)](const Status &removed) {
        if (!removed)
            return fail(Stage::OpenHumans, removed.error());
        oh::UploadRequest upload { basename, { tags, description }, content };
        runJob(m_openHumans.upload(m_input.accessToken, upload, this), this,
               [this, next](const Result<oh::UploadResult> &uploaded) {
                   if (!uploaded)
                       return fail(Stage::OpenHumans, uploaded.error());
                   next();
               });
    });
}

void RegistrationJob::fail(Stage stage, const Error &error)
{
    m_failedStage = stage;
    qCInfo(lcSite, "saving a registration stopped at stage %d: %s", int(stage), qPrintable(error.code));
    finish(error);
}

void RegistrationJob::finish(Result<Saved> result)
{
    m_result = std::move(result);
    emit finished();
}

} // namespace openaps::site
