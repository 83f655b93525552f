#include "site/registrationjob.h"

#include "nightscout/probejob.h"
#include "records/consent.h"
#include "records/filenames.h"
#include "site/jobchain.h"
#include "site/loginjob.h"
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

QByteArray urlFileContent(const ns::SiteUrl &site, const ns::Credentials &credentials)
{
    QUrl url = site.baseUrl();
    QUrlQuery query;
    switch (credentials.kind()) {
    case ns::Credentials::Kind::AccessToken:
        query.addQueryItem(QStringLiteral("token"), QString::fromUtf8(credentials.wireValue()));
        break;
    case ns::Credentials::Kind::ApiSecret:
        query.addQueryItem(QStringLiteral("api_secret"), QString::fromUtf8(credentials.wireValue()));
        break;
    case ns::Credentials::Kind::None:
        break;
    }
    if (!query.isEmpty()) {
        if (!url.path().endsWith(QLatin1Char('/')))
            url.setPath(url.path() + QLatin1Char('/'));
        url.setQuery(query);
    }
    return url.toString(QUrl::FullyEncoded).toUtf8();
}

RegistrationJob::RegistrationJob(QNetworkAccessManager *nam, const oh::Client &openHumans,
                                 ns::ClientOptions probeOptions, Registration registration, QObject *parent)
    : QObject(parent),
      m_nam(nam),
      m_openHumans(openHumans),
      m_probeOptions(probeOptions),
      m_input(std::move(registration))
{ }

void RegistrationJob::start()
{
    m_saved.consent = m_input.consent;
    // Withdrawing consent must work even when the site is down or the
    // address is gone, so with "none" the address is optional and unchecked.
    if (m_input.consent == records::Consent::None && m_input.url.trimmed().isEmpty())
        return writeConsentFile();
    auto site = ns::SiteUrl::parse(m_input.url);
    if (!site)
        return fail(Stage::Address, site.error());
    m_site = *site;
    m_credentials = credentialsFrom(m_input.secret, m_site);
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
        if (!result.ok())
            return fail(Stage::Probe, result.error());
        writeUrlFile();
    });
    job->start();
}

void RegistrationJob::writeUrlFile()
{
    m_saved.nightscoutUrl = m_site.baseUrl().toString();
    replaceFile(records::urlFileName(m_input.memberId), urlFileContent(m_site, m_credentials),
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
    runJob(remove, this, [this, basename, content, description, tags, next](const Status &removed) {
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
