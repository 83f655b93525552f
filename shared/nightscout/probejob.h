#pragma once

#include "core/httpcall.h"
#include "core/result.h"
#include "core/step.h"

#include <QJsonDocument>
#include <QPointer>

namespace openaps::ns {

class Client;

struct ProbeResult
{
    enum class Outcome { Ok, Unreachable, NotNightscout, NeedsCredentials, CredentialsRejected };

    Outcome outcome = Outcome::Unreachable;
    QString code; // ok, unreachable, not-nightscout, needs-credentials, credentials-rejected
    QString message; // plain words for the participant
    QString serverVersion; // from status.json, when it answered
    bool canWrite = false; // the credentials could also change data (a read-only token is enough)

    bool ok() const { return outcome == Outcome::Ok; }
    Error error() const { return Error { code, message }; }
};

// Tells apart, in this order: the site cannot be reached; something answers
// but it is not Nightscout (status.json); the site needs credentials; the
// credentials given are rejected; the site can be read (verifyauth, and a
// one-record read where verifyauth is missing or only vouches for admins, as
// on older Nightscout). Makes at most three requests and never repeats a
// rejected credential, because Nightscout slows down after failed logins.
// finished() comes once; the job deletes itself afterwards.
class ProbeJob final : public Step
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProbeJob)

public:
    explicit ProbeJob(Client *client);

    void start();
    const ProbeResult &result() const { return m_result; }

private:
    void onStatus(const Result<HttpResponse> &response);
    void onVerifyAuth(const Result<HttpResponse> &response);
    void readCheck();
    void onReadCheck(const Result<HttpResponse> &response);
    bool finishOnTransportOrServerError(const Result<HttpResponse> &response);
    void finishUnauthorized();
    void finish(ProbeResult::Outcome outcome, const Error &error = {});

    QPointer<Client> m_client;
    ProbeResult m_result;
};

} // namespace openaps::ns
