#include "contractserver.h"

#include "core/gzip.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QHttpServerResponder>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTimeZone>
#include <QTimer>

namespace openaps::test {

namespace {

using Method = QHttpServerRequest::Method;
using Status = QHttpServerResponse::StatusCode;

QJsonObject body(const QHttpServerRequest &request)
{
    return QJsonDocument::fromJson(request.body()).object();
}

QJsonObject toJson(const ContractServer::Account &a)
{
    return { { QStringLiteral("id"), a.id },
             { QStringLiteral("name"), a.name },
             { QStringLiteral("email"), a.email },
             { QStringLiteral("institution"), a.institution },
             { QStringLiteral("purpose"), a.purpose },
             { QStringLiteral("status"), a.status },
             { QStringLiteral("scope"), a.scope },
             { QStringLiteral("is_admin"), a.isAdmin },
             { QStringLiteral("created_at"), QStringLiteral("2026-11-01T10:00:00Z") } };
}

QHttpServerResponse json(const QJsonObject &o, Status status = Status::Ok)
{
    QHttpServerResponse r("application/json", QJsonDocument(o).toJson(QJsonDocument::Compact), status);
    r.setHeader("Cache-Control", "no-store");
    return r;
}

} // namespace

ContractServer::ContractServer()
{
    auto &s = m_server;
    s.route(QStringLiteral("/api/v1/login"), Method::Post, [this](const QHttpServerRequest &r) {
        const QJsonObject b = body(r);
        for (const Account &a : std::as_const(m_accounts)) {
            if (a.email != b.value(QLatin1String("email")).toString())
                continue;
            if (a.password != b.value(QLatin1String("password")).toString())
                break;
            if (a.status == QLatin1String("pending") || a.status == QLatin1String("unverified"))
                return error("not-approved", QStringLiteral("Your application is waiting for approval."));
            if (a.status != QLatin1String("approved"))
                return error("deactivated", QStringLiteral("This account is not active."));
            const QString token = QStringLiteral("token-%1-%2").arg(a.id).arg(m_tokens.size());
            m_tokens.insert(token, a.id);
            return json({ { QStringLiteral("token"), token },
                          { QStringLiteral("expires_at"), QStringLiteral("2026-12-28T00:00:00Z") },
                          { QStringLiteral("researcher"), toJson(a) } });
        }
        return error("bad-credentials", QStringLiteral("Wrong email or password."));
    });
    s.route(QStringLiteral("/api/v1/me"), Method::Get, [this](const QHttpServerRequest &r) {
        const Account *a = bearer(r);
        return a ? json(toJson(*a))
                 : error("bad-token", QStringLiteral("Your sign-in has expired. Please sign in again."));
    });
    s.route(QStringLiteral("/api/v1/logout"), Method::Post, [this](const QHttpServerRequest &r) {
        m_tokens.remove(QString::fromLatin1(r.value("Authorization").mid(7)));
        return QHttpServerResponse(Status::NoContent);
    });
    s.route(QStringLiteral("/api/v1/terms"), Method::Get, [] {
        return json({ { QStringLiteral("version"), QStringLiteral("v1") },
                      { QStringLiteral("text"), QStringLiteral("The terms of use of the contract server.") } });
    });
    s.route(QStringLiteral("/api/v1/applications"), Method::Post, [this](const QHttpServerRequest &r) {
        const QJsonObject b = body(r);
        if (!b.value(QLatin1String("accept_terms")).toBool()
            || b.value(QLatin1String("terms_version")).toString() != u"v1")
            return error("terms-not-accepted", QStringLiteral("Please read and accept the terms of use."));
        if (b.value(QLatin1String("password")).toString().size() < 10)
            return error("weak-password", QStringLiteral("The password needs at least 10 characters."));
        if (account(b.value(QLatin1String("email")).toString()))
            return error("already-applied",
                         QStringLiteral("This email address has applied already: sign in or reset the password."));
        addAccount({ qint64(m_accounts.size() + 1), b.value(QLatin1String("name")).toString(),
                     b.value(QLatin1String("email")).toString(), b.value(QLatin1String("institution")).toString(),
                     b.value(QLatin1String("purpose")).toString(), b.value(QLatin1String("password")).toString(),
                     QStringLiteral("unverified"), QStringLiteral("openaps"), false });
        return json({ { QStringLiteral("status"), QStringLiteral("unverified") } }, Status::Created);
    });
    s.route(QStringLiteral("/api/v1/applications/verify"), Method::Post, [this](const QHttpServerRequest &r) {
        const QJsonObject b = body(r);
        for (Account &a : m_accounts) {
            if (a.email == b.value(QLatin1String("email")).toString()
                && b.value(QLatin1String("code")).toString() == m_code) {
                a.status = QStringLiteral("pending");
                return json({ { QStringLiteral("status"), QStringLiteral("pending") } });
            }
        }
        return error("bad-code", QStringLiteral("That code is not right. 4 tries remain."));
    });
    s.route(QStringLiteral("/api/v1/datasets"), Method::Get, [this](const QHttpServerRequest &r) {
        if (!bearer(r))
            return error("bad-token", QStringLiteral("Your sign-in has expired. Please sign in again."));
        QJsonArray list;
        for (const QString &name : std::as_const(m_datasetNames))
            list.append(QJsonObject {
                    { QStringLiteral("name"), name },
                    { QStringLiteral("columns"), QJsonArray {} },
                    { QStringLiteral("time_column"),
                      name != QLatin1String("member_demographics") ? QStringLiteral("date") : QString() } });
        return json({ { QStringLiteral("datasets"), list } });
    });
    s.route(QStringLiteral("/api/v1/export/<arg>/count"), Method::Get,
            [this](const QString &, const QHttpServerRequest &r) {
                if (!bearer(r))
                    return error("bad-token", QStringLiteral("Your sign-in has expired. Please sign in again."));
                if (r.query().hasQueryItem(QStringLiteral("format")))
                    return error("bad-request", QStringLiteral("The parameter 'format' is not known here."));
                return json({ { QStringLiteral("rows"), m_countAnswer >= 0 ? m_countAnswer : m_rows } });
            });
    s.route(QStringLiteral("/api/v1/cohort/<arg>"), Method::Get,
            [this](const QString &view, const QHttpServerRequest &r) {
                if (!bearer(r))
                    return error("bad-token", QStringLiteral("Your sign-in has expired. Please sign in again."));
                if (!m_cohort.contains(view))
                    return error("unknown-view", QStringLiteral("There is no such view."));
                QJsonObject answer = m_cohort.value(view);
                for (const char *key : { "from", "to" }) {
                    const QString value = r.query().queryItemValue(QString::fromLatin1(key));
                    answer.insert(QLatin1String(key), value.isEmpty() ? QJsonValue() : QJsonValue(value));
                }
                return json(answer);
            });
    s.route(QStringLiteral("/api/v1/releases"), Method::Get, [this](const QHttpServerRequest &r) {
        if (!bearer(r))
            return error("bad-token", QStringLiteral("Your sign-in has expired. Please sign in again."));
        return json({ { QStringLiteral("releases"), m_release.isEmpty() ? QJsonArray() : QJsonArray { m_release } } });
    });
    s.route(QStringLiteral("/api/v1/releases/<arg>/file"), Method::Get,
            [this](const QString &id, const QHttpServerRequest &r) {
                if (!bearer(r))
                    return error("bad-token", QStringLiteral("Your sign-in has expired. Please sign in again."));
                if (id != QString::number(m_release.value(QLatin1String("id")).toInteger()))
                    return error("not-found", QStringLiteral("There is no such release."));
                const QByteArray sha = QCryptographicHash::hash(m_releaseZip, QCryptographicHash::Sha256);
                QHttpServerResponse answer("application/zip", m_releaseZip);
                answer.setHeader("ETag", '"' + sha.toHex() + '"');
                answer.setHeader("Repr-Digest", "sha-256=:" + sha.toBase64() + ':');
                return answer;
            });
    s.route(QStringLiteral("/api/v1/releases/<arg>"), Method::Get,
            [this](const QString &id, const QHttpServerRequest &r) {
                if (!bearer(r))
                    return error("bad-token", QStringLiteral("Your sign-in has expired. Please sign in again."));
                if (id != QString::number(m_release.value(QLatin1String("id")).toInteger()))
                    return error("not-found", QStringLiteral("There is no such release."));
                return json(m_release);
            });
    s.route(QStringLiteral("/api/v1/participants"), Method::Get, [this](const QHttpServerRequest &r) {
        if (!bearer(r))
            return error("bad-token", QStringLiteral("Your sign-in has expired. Please sign in again."));
        return json({ { QStringLiteral("participants"), m_participants } });
    });
    s.route(QStringLiteral("/api/v1/export/<arg>"), Method::Get,
            [this](const QString &dataset, const QHttpServerRequest &r, QHttpServerResponder &&responder) {
                m_lastExportQuery = r.query();
                if (dataset == QLatin1String("participant_summary") && bearer(r)) {
                    responder.write(m_summaries, "application/x-ndjson");
                    return;
                }
                stream(r, std::move(responder));
            });
    s.route(QStringLiteral("/api/v1/admin/researchers"), Method::Get, [this](const QHttpServerRequest &r) {
        const Account *me = bearer(r);
        if (!me || !me->isAdmin)
            return me ? error("forbidden", QStringLiteral("Only administrators."))
                      : error("bad-token", QStringLiteral("expired"));
        const QString status = r.query().queryItemValue(QStringLiteral("status"));
        QJsonArray list;
        for (const Account &a : std::as_const(m_accounts)) {
            if (status.isEmpty() || a.status == status)
                list.append(toJson(a));
        }
        return json({ { QStringLiteral("researchers"), list } });
    });
    s.route(QStringLiteral("/api/v1/admin/researchers/<arg>/<arg>"), Method::Post,
            [this](qint64 id, const QString &action, const QHttpServerRequest &r) {
                const Account *me = bearer(r);
                if (!me || !me->isAdmin)
                    return error("forbidden", QStringLiteral("Only administrators."));
                for (Account &a : m_accounts) {
                    if (a.id != id)
                        continue;
                    if (action == QLatin1String("approve")) {
                        a.status = QStringLiteral("approved");
                        a.scope = body(r).value(QLatin1String("scope")).toString();
                    } else {
                        a.status = action == QLatin1String("reject") ? QStringLiteral("rejected")
                                                                     : QStringLiteral("deactivated");
                    }
                    return json(toJson(a));
                }
                return error("not-found", QStringLiteral("No such researcher."));
            });
}

ContractServer::~ContractServer() = default;

bool ContractServer::listen()
{
    m_tcp = std::make_unique<QTcpServer>();
    if (!m_tcp->listen(QHostAddress::LocalHost, 0))
        return false;
    m_server.bind(m_tcp.get());
    return true;
}

QUrl ContractServer::url() const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_tcp->serverPort()));
}

void ContractServer::addAccount(const Account &account)
{
    m_accounts.append(account);
}

const ContractServer::Account *ContractServer::account(const QString &email) const
{
    for (const Account &a : m_accounts) {
        if (a.email == email)
            return &a;
    }
    return nullptr;
}

void ContractServer::setEntries(const QMap<QString, QList<metrics::Reading>> &readings)
{
    // The columns of the real entries export, raw_json quoted as RFC 4180 says.
    m_csv = "user_id,id,sgv,direction,device,type,raw_json,source_entity,date,utc_offset\n";
    m_rows = 0;
    for (auto it = readings.cbegin(); it != readings.cend(); ++it) {
        for (const metrics::Reading &r : it.value()) {
            const QByteArray date =
                    QDateTime::fromMSecsSinceEpoch(r.utcMs, QTimeZone::utc()).toString(Qt::ISODateWithMs).toLatin1();
            m_csv += it.key().toLatin1() + ",e" + QByteArray::number(m_rows) + ',' + QByteArray::number(r.mgdl)
                    + ",Flat,\"xDrip, G6\",sgv,\"{\"\"sgv\"\":" + QByteArray::number(r.mgdl) + "}\",0," + date + ','
                    + QByteArray::number(r.offsetMinutes) + '\n';
            ++m_rows;
        }
    }
}

QHttpServerResponse ContractServer::error(const char *code, const QString &message) const
{
    static const QMap<QByteArray, Status> statuses {
        { "bad-credentials", Status::Unauthorized }, { "bad-token", Status::Unauthorized },
        { "not-approved", Status::Forbidden },       { "deactivated", Status::Forbidden },
        { "forbidden", Status::Forbidden },          { "not-found", Status::NotFound },
        { "already-applied", Status::Conflict },     { "unknown-view", Status::NotFound },
    };
    return json({ { QStringLiteral("error"), QString::fromLatin1(code) }, { QStringLiteral("message"), message } },
                statuses.value(code, Status::BadRequest));
}

const ContractServer::Account *ContractServer::bearer(const QHttpServerRequest &request) const
{
    const QByteArray header = request.value("Authorization");
    if (!header.startsWith("Bearer "))
        return nullptr;
    const auto it = m_tokens.constFind(QString::fromLatin1(header.mid(7)));
    if (it == m_tokens.constEnd())
        return nullptr;
    for (const Account &a : m_accounts) {
        if (a.id == *it)
            return &a;
    }
    return nullptr;
}

void ContractServer::stream(const QHttpServerRequest &request, QHttpServerResponder &&responder)
{
    if (!bearer(request)) {
        const QHttpServerResponse answer = error("bad-token",
                                                 QStringLiteral("Your sign-in has expired. Please sign in again."));
        responder.writeStatusLine(QHttpServerResponder::StatusCode::Unauthorized);
        responder.writeHeader("Content-Type", "application/json");
        responder.writeHeader("Content-Length", QByteArray::number(answer.data().size()));
        responder.writeBody(answer.data());
        return;
    }
    // gzip=1: the body compressed (Content-Type stays the format's, as the API sends it).
    const bool gzipped = request.query().queryItemValue(QStringLiteral("gzip")) == QLatin1String("1");
    const QByteArray payload = gzipped ? gzip::compress(m_csv) : m_csv;
    responder.writeStatusLine(QHttpServerResponder::StatusCode::Ok);
    responder.writeHeader("Content-Type", "text/csv; charset=utf-8");
    responder.writeHeader("Content-Disposition",
                          gzipped ? "attachment; filename=\"entries_all.csv.gz\""
                                  : "attachment; filename=\"entries_all.csv\"");
    responder.writeHeader("X-Export-Rows-Estimate", QByteArray::number(m_rows));
    responder.writeHeader("Transfer-Encoding", "chunked");
    auto shared = std::make_shared<QHttpServerResponder>(std::move(responder));
    const int pieces = m_mode == StreamMode::Slow ? 200 : 4;
    const qsizetype step = payload.size() / pieces + 1;
    auto offset = std::make_shared<qsizetype>(0);
    auto *timer = new QTimer(this);
    timer->setInterval(m_mode == StreamMode::Slow ? 25 : 0);
    QPointer<QTcpSocket> socket(shared->socket());
    connect(timer, &QTimer::timeout, this, [this, payload, shared, offset, step, timer, socket] {
        if (!socket || socket->state() != QAbstractSocket::ConnectedState) {
            timer->deleteLater();
            return;
        }
        if (m_mode == StreamMode::CutOff && *offset >= payload.size() / 2) {
            socket->abort(); // an export failing midway: no final chunk
            timer->deleteLater();
            return;
        }
        if (*offset >= payload.size()) {
            shared->writeBody("0\r\n\r\n", 5);
            timer->deleteLater();
            return;
        }
        const QByteArray chunk = payload.mid(*offset, step);
        *offset += chunk.size();
        shared->writeBody(QByteArray::number(chunk.size(), 16) + "\r\n" + chunk + "\r\n");
    });
    timer->start();
}

} // namespace openaps::test
