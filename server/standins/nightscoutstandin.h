#pragma once

#include "core/clock.h"
#include "core/result.h"
#include "standins/nightscoutstore.h"
#include "standins/standinfaults.h"

#include <QDateTime>
#include <QHttpServer>
#include <QObject>
#include <QUrl>

#include <functional>
#include <map>
#include <memory>

namespace openaps::standins {

class StandInReplySender;

// One Nightscout site served by the stand-in: its records, who may read
// them, and its fault switches.
class NightscoutSite
{
public:
    // Who may read: anyone; only requests with the access token
    // (`?token=`); only requests with the API secret (header `api-secret`
    // holding its SHA-1 hex).
    enum class Auth { Open, Token, ApiSecret };
    // The same switches as the Open Humans stand-in: latency, HTTP 500 on
    // every request or only the Nth, never answering, malformed JSON,
    // truncated bodies. Requests are counted from the last setFaults().
    using Faults = StandInFaults;

    NightscoutStore &store() { return m_store; }
    const NightscoutStore &store() const { return m_store; }

    void setOpen() { m_auth = Auth::Open; }
    void requireToken(const QString &token);
    // Nightscout requires at least 12 characters; the stand-in does not check.
    void requireApiSecret(const QString &secret);
    Auth auth() const { return m_auth; }

    void setFaults(const Faults &faults);
    const Faults &faults() const { return m_faults; }

    // Every request this site answered or dropped, newest last, as sent
    // (with the token), for tests to inspect.
    const QList<QUrl> &requests() const { return m_requests; }
    int requestCount() const { return int(m_requests.size()); }

private:
    friend class NightscoutStandIn;

    NightscoutStore m_store;
    Auth m_auth = Auth::Open;
    QString m_token;
    QByteArray m_secretHash;
    Faults m_faults;
    int m_faultCounter = 0;
    QList<QUrl> m_requests;
};

// A loopback Nightscout for tests and `openaps-demo`, speaking the v1
// read API (entries, treatments, devicestatus, profile, profiles, status,
// verifyauth) with Nightscout's quirks (see NightscoutStore). One server
// can host several sites: the default one at the root, others below
// /<name>/ (e.g. one per demo participant).
class NightscoutStandIn final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(NightscoutStandIn)

public:
    explicit NightscoutStandIn(QObject *parent = nullptr);
    ~NightscoutStandIn() override;

    // Listens on 127.0.0.1; port 0 picks a free one.
    Result<quint16> listen(quint16 port = 0);
    quint16 port() const { return m_port; }

    // The site named `name` ("" is the root site), created on first use.
    NightscoutSite &site(const QString &name = {});
    // http://127.0.0.1:<port>[/<name>]
    QUrl url(const QString &name = {}) const;

    // "Now" for the 4-day default window and status.json (tests pin it).
    void setClock(Clock clock) { m_clock = std::move(clock); }
    QDateTime now() const { return m_clock(); }

private:
    using Reply = StandInReply;
    void onRequest(const QHttpServerRequest &request, QHttpServerResponder &&responder);
    Reply answer(NightscoutSite &site, const QString &endpoint, const QHttpServerRequest &request) const;
    Reply statusJson(const NightscoutSite &site) const;
    Reply rootPage() const;
    static bool credentialsValid(const NightscoutSite &site, const QHttpServerRequest &request, bool *given);

    QHttpServer m_server;
    // Declared after m_server: held (hanging) responders go before the server.
    std::unique_ptr<StandInReplySender> m_sender;
    std::map<QString, std::unique_ptr<NightscoutSite>> m_sites;
    Clock m_clock;
    quint16 m_port = 0;
};

} // namespace openaps::standins
