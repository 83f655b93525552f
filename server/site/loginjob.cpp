#include "site/loginjob.h"

#include "records/consent.h"
#include "records/filenames.h"
#include "records/urlfile.h"
#include "site/jobchain.h"
#include "site/sitelog.h"

namespace openaps::site {

namespace {

constexpr qint64 smallFileLimit = 16 * 1024;

} // namespace

std::optional<oh::MemberFile> newestFile(const QList<oh::MemberFile> &files, const QString &suffix, int *count)
{
    std::optional<oh::MemberFile> best;
    *count = 0;
    for (const oh::MemberFile &f : files) {
        if (!f.basename.endsWith(suffix))
            continue;
        ++*count;
        if (!best || f.created > best->created)
            best = f;
    }
    return best;
}

LoginJob::LoginJob(const oh::Client &client, const QString &code, QObject *parent)
    : QObject(parent),
      m_client(client),
      m_code(code)
{ }

void LoginJob::start()
{
    runJob(m_client.exchangeCode(m_code, this), this,
           [this](const Result<oh::TokenPair> &tokens) { onTokens(tokens); });
}

void LoginJob::onTokens(const Result<oh::TokenPair> &tokens)
{
    if (!tokens)
        return finish(tokens.error());
    m_outcome.tokens = *tokens;
    runJob(m_client.exchangeMember(m_outcome.tokens.accessToken, this), this,
           [this](const Result<oh::Member> &member) { onMember(member); });
}

void LoginJob::onMember(const Result<oh::Member> &member)
{
    if (!member)
        return finish(member.error());
    m_outcome.memberId = member->projectMemberId;
    int consentFiles = 0;
    const auto urlFile = newestFile(member->files, records::urlFileSuffix, &m_outcome.urlFileCount);
    m_consentFile = newestFile(member->files, records::consentFileSuffix, &consentFiles);
    if (urlFile) {
        readUrlFile(*urlFile);
    } else {
        m_outcome.nightscoutUrl = QString();
        m_outcome.credentialSaved = false;
        readConsentFile(m_consentFile);
    }
}

void LoginJob::readUrlFile(const oh::MemberFile &file)
{
    auto *job = m_client.downloadAll(m_outcome.tokens.accessToken, file, smallFileLimit, this);
    runJob(job, this, [this](const Result<oh::DownloadResult> &download) {
        // Not being able to read the file only costs the "saved" display.
        if (download) {
            const auto saved = records::parseUrlFile(QString::fromUtf8(download->body));
            m_outcome.nightscoutUrl = saved ? saved->site.baseUrl().toString() : QString();
            m_outcome.credentialSaved = saved && !saved->credentials.isEmpty();
        } else {
            qCInfo(lcSite, "could not read a participant's URL file at login: %s", qPrintable(download.error().code));
        }
        readConsentFile(m_consentFile);
    });
}

void LoginJob::readConsentFile(const std::optional<oh::MemberFile> &file)
{
    if (!file) {
        m_outcome.consent = QString();
        return finish(m_outcome);
    }
    auto *job = m_client.downloadAll(m_outcome.tokens.accessToken, *file, smallFileLimit, this);
    runJob(job, this, [this](const Result<oh::DownloadResult> &download) {
        if (download) {
            const auto consent = records::parseConsent(QString::fromUtf8(download->body));
            m_outcome.consent = consent ? records::consentValue(*consent) : QString();
        }
        finish(m_outcome);
    });
}

void LoginJob::finish(Result<Outcome> result)
{
    m_result = std::move(result);
    emit finished();
}

} // namespace openaps::site
