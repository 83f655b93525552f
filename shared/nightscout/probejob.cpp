#include "nightscout/probejob.h"

#include "nightscout/client.h"
#include "nightscout/messages.h"
#include "nightscout/nightscoutlog.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTimer>
#include <QUrlQuery>

namespace openaps::ns {

namespace {

QJsonObject parseObject(const QByteArray &body)
{
    return QJsonDocument::fromJson(body).object();
}

// status.json of every Nightscout since 0.8 says {"status":"ok","name":"nightscout",...};
// forks renamed `name`, so the API flags count as well.
bool looksLikeNightscout(const QJsonObject &status)
{
    if (status.value(QLatin1String("status")).toString() != QLatin1String("ok"))
        return false;
    if (status.value(QLatin1String("name")).toString().contains(QLatin1String("nightscout"), Qt::CaseInsensitive))
        return true;
    return status.contains(QLatin1String("apiEnabled")) && status.contains(QLatin1String("serverTime"));
}

} // namespace

ProbeJob::ProbeJob(Client *client) : Step(client), m_client(client) { }

void ProbeJob::start()
{
    m_client->get(QStringLiteral("status.json"), {}, this,
                  [this](const Result<HttpResponse> &response) { onStatus(response); });
}

bool ProbeJob::finishOnTransportOrServerError(const Result<HttpResponse> &response)
{
    if (!response) {
        finish(ProbeResult::Outcome::Unreachable, unreachableError(response.error()));
        return true;
    }
    if (response->status >= 300 && response->status < 400) {
        finish(ProbeResult::Outcome::Unreachable, redirectedError());
        return true;
    }
    if (response->status >= 500) {
        finish(ProbeResult::Outcome::Unreachable, unreachableError(makeError("http", {})));
        return true;
    }
    return false;
}

void ProbeJob::onStatus(const Result<HttpResponse> &response)
{
    if (finishOnTransportOrServerError(response))
        return;
    const int status = response->status;
    if (status == 401 || status == 403) {
        // Nightscout itself answers 401 here when it hides everything from visitors.
        if (parseObject(response->body).contains(QLatin1String("status"))) {
            finishUnauthorized();
            return;
        }
        finish(ProbeResult::Outcome::NotNightscout, notNightscoutError());
        return;
    }
    const QJsonObject body = parseObject(response->body);
    if (status != 200 || !looksLikeNightscout(body)) {
        finish(ProbeResult::Outcome::NotNightscout, notNightscoutError());
        return;
    }
    m_result.serverVersion = body.value(QLatin1String("version")).toString();
    // One attempt: a rejected credential must not be retried (Nightscout delays
    // answers after failed logins).
    m_client->get(QStringLiteral("verifyauth"), {}, this, [this](const Result<HttpResponse> &r) { onVerifyAuth(r); });
}

void ProbeJob::onVerifyAuth(const Result<HttpResponse> &response)
{
    if (finishOnTransportOrServerError(response))
        return;
    if (response->status == 401 || response->status == 403) {
        finishUnauthorized();
        return;
    }
    const QJsonValue message = parseObject(response->body).value(QLatin1String("message"));
    const bool withCredentials = !m_client->credentials().isEmpty();
    if (response->status == 200 && message.isObject()) {
        // Nightscout 14+: {canRead, canWrite, isAdmin, message: OK|UNAUTHORIZED, ...};
        // "OK" means the request matched a token or the secret, canRead alone
        // may come from the site's default role for visitors.
        const QJsonObject info = message.toObject();
        const bool matched = info.value(QLatin1String("message")).toString() == QLatin1String("OK");
        const bool canRead = info.value(QLatin1String("canRead")).toBool();
        m_result.canWrite = info.value(QLatin1String("canWrite")).toBool();
        if (withCredentials ? matched : canRead)
            finish(ProbeResult::Outcome::Ok);
        else
            finishUnauthorized();
        return;
    }
    if (response->status == 200 && message.toString() == QLatin1String("OK")) {
        finish(ProbeResult::Outcome::Ok);
        return;
    }
    // Older Nightscout answers a bare "UNAUTHORIZED" to anything below admin
    // rights, or has no verifyauth at all: let a real read decide.
    readCheck();
}

void ProbeJob::readCheck()
{
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("find[date][$gt]"), QStringLiteral("0"));
    query.addQueryItem(QStringLiteral("count"), QStringLiteral("1"));
    m_client->get(QStringLiteral("entries.json"), query, this,
                  [this](const Result<HttpResponse> &r) { onReadCheck(r); });
}

void ProbeJob::onReadCheck(const Result<HttpResponse> &response)
{
    if (finishOnTransportOrServerError(response))
        return;
    if (response->status == 401 || response->status == 403) {
        finishUnauthorized();
        return;
    }
    if (response->status == 200 && QJsonDocument::fromJson(response->body).isArray()) {
        finish(ProbeResult::Outcome::Ok);
        return;
    }
    finish(ProbeResult::Outcome::NotNightscout, notNightscoutError());
}

void ProbeJob::finishUnauthorized()
{
    const Credentials &credentials = m_client->credentials();
    if (credentials.isEmpty())
        finish(ProbeResult::Outcome::NeedsCredentials, needsCredentialsError());
    else
        finish(ProbeResult::Outcome::CredentialsRejected, credentialsRejectedError(credentials.kind()));
}

void ProbeJob::finish(ProbeResult::Outcome outcome, const Error &error)
{
    if (!markFinished())
        return;
    m_result.outcome = outcome;
    if (outcome == ProbeResult::Outcome::Ok) {
        m_result.code = QStringLiteral("ok");
        m_result.message = m_result.canWrite
                ? QStringLiteral("Your Nightscout site can be read. (What you entered can also "
                                 "change your data; a read-only access token is enough.)")
                : QStringLiteral("Your Nightscout site can be read.");
    } else {
        m_result.code = error.code;
        m_result.message = error.message;
    }
    qCInfo(lcNightscout) << "probe of site" << m_client->site().logId() << "->" << m_result.code;
    emit finished();
    deleteLater();
}

} // namespace openaps::ns
