#include "siteharness.h"

#include "db/migrations.h"

#include <QNetworkCookieJar>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSqlField>
#include <QSqlRecord>
#include <QStandardPaths>
#include <QTest>

namespace openaps::test {

namespace {

// The browser side keeps no cookies of its own: tests pass them explicitly.
class NoCookies final : public QNetworkCookieJar
{
public:
    bool setCookiesFromUrl(const QList<QNetworkCookie> &, const QUrl &) override { return false; }
    QList<QNetworkCookie> cookiesForUrl(const QUrl &) const override { return {}; }
};

const QByteArray secretKey = QByteArrayLiteral("site-test-secret-key-0123456789abcdef");

} // namespace

const QByteArray SiteHarness::webhookSecret = QByteArrayLiteral("site-test-webhook-secret");

privacy::ParticipantKeys SiteHarness::keys()
{
    return privacy::ParticipantKeys(secretKey);
}

QVariant SiteHarness::keyValue(const db::Database &database, const site::ParticipantTable &table, const QString &member,
                               qint64 participantId)
{
    if (table.key == site::ParticipantKey::ParticipantId)
        return participantId;
    if (table.key == site::ParticipantKey::UserId) // research rows name the member by pseudonym
        return keys().pseudonym(member);
    auto db = database.connection();
    const QMetaType type = db->record(table.table).field(table.column).metaType();
    if (type.id() == QMetaType::LongLong || type.id() == QMetaType::Int)
        return member.toLongLong();
    return member;
}
const QString SiteHarness::lockedToken = QStringLiteral("datacommons-0123456789abcdef");
const QString SiteHarness::apiSecret = QStringLiteral("my-long-api-secret");

namespace { } // namespace

QByteArray HttpReply::header(const QByteArray &name) const
{
    for (const auto &h : headers) {
        if (h.first.compare(name, Qt::CaseInsensitive) == 0)
            return h.second;
    }
    return {};
}

QString HttpReply::sessionCookie() const
{
    static const QRegularExpression value(QStringLiteral("^(?:__Host-)?openaps_session=([^;]*)"));
    const auto match = value.match(QString::fromLatin1(header("Set-Cookie")));
    return match.hasMatch() ? match.captured(1) : QString();
}

SiteHarness::SiteHarness(const QString &backend, Tweak tweak) : m_tdb(backend), m_tweak(std::move(tweak))
{
    QStandardPaths::setTestModeEnabled(true);
    m_browser.setCookieJar(new NoCookies);
    if (!m_tdb.isValid())
        return;
    m_database = m_tdb.database();
    if (auto migrated = db::migrate(*m_database); !migrated) {
        qWarning("%s", qPrintable(migrated.error().message));
        return;
    }
    m_openHumans = std::make_unique<standins::OpenHumansStandIn>(standins::OpenHumansStandIn::Options {}, &m_nam);
    if (!m_openHumans->listen())
        return;
    m_nightscout = std::make_unique<standins::NightscoutStandIn>();
    if (!m_nightscout->listen())
        return;
    m_nightscout->site();
    m_nightscout->site(QStringLiteral("locked")).requireToken(lockedToken);
    m_nightscout->site(QStringLiteral("secret")).requireApiSecret(apiSecret);
    start();
}

SiteHarness::~SiteHarness()
{
    m_site.reset();
    m_web.reset();
    if (m_database)
        m_database->closeConnection();
}

void SiteHarness::start()
{
    m_valid = false;
    m_web = std::make_unique<http::WebServer>(*m_database);
    const auto port = m_web->listen(QHostAddress::LocalHost, 0);
    if (!port)
        return;
    Config config = Config::fromValues({
            { QStringLiteral("PUBLIC_URL"), QStringLiteral("http://127.0.0.1:%1").arg(*port) },
            { QStringLiteral("SECRET_KEY"), QString::fromLatin1(secretKey) },
            { QStringLiteral("OH_BASE_URL"), m_openHumans->baseUrl().toString() },
            { QStringLiteral("OH_CLIENT_ID"), m_openHumans->options().clientId },
            { QStringLiteral("OH_CLIENT_SECRET"), m_openHumans->options().clientSecret },
            { QStringLiteral("OH_WEBHOOK_SECRET"), QString::fromLatin1(webhookSecret) },
    });
    m_options = site::ParticipantSite::optionsFromConfig(config);
    m_options.openHumans.requestTimeout = std::chrono::seconds(5);
    m_options.probe.timeout = std::chrono::seconds(3);
    m_options.probe.addresses = ns::AddressScope::AllowLoopback; // the Nightscout stand-in is on 127.0.0.1
    if (m_tweak)
        m_tweak(m_options);
    auto site = site::ParticipantSite::create(*m_database, &m_nam, m_options);
    if (!site) {
        qWarning("%s", qPrintable(site.error().message));
        return;
    }
    m_site = std::move(*site);
    m_site->install(*m_web);
    m_valid = true;
}

void SiteHarness::restart()
{
    m_site.reset();
    m_web.reset();
    // A restarted server starts with new connections, as a new process would.
    m_database->closeConnection();
    m_database = m_tdb.database();
    start();
}

QUrl SiteHarness::url(const QString &path) const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_web->port()).arg(path));
}

HttpReply SiteHarness::send(QNetworkReply *reply)
{
    QSignalSpy finished(reply, &QNetworkReply::finished);
    if (!reply->isFinished())
        finished.wait(20000);
    HttpReply result;
    result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    result.body = reply->readAll();
    result.headers = reply->rawHeaderPairs();
    reply->deleteLater();
    return result;
}

HttpReply SiteHarness::get(const QString &path, const QString &cookie,
                           const QList<QPair<QByteArray, QByteArray>> &headers)
{
    QNetworkRequest request(path.startsWith(QLatin1String("http")) ? QUrl(path) : url(path));
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    if (!cookie.isEmpty())
        request.setRawHeader("Cookie", m_options.settings.cookieName().toLatin1() + '=' + cookie.toLatin1());
    for (const auto &h : headers)
        request.setRawHeader(h.first, h.second);
    return send(m_browser.get(request));
}

QNetworkRequest SiteHarness::formRequest(const QString &path, const QString &cookie) const
{
    QNetworkRequest request(url(path));
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/x-www-form-urlencoded"));
    if (!cookie.isEmpty())
        request.setRawHeader("Cookie", m_options.settings.cookieName().toLatin1() + '=' + cookie.toLatin1());
    return request;
}

HttpReply SiteHarness::post(const QString &path, const QByteArray &body, const QString &cookie,
                            const QList<QPair<QByteArray, QByteArray>> &headers)
{
    QNetworkRequest request = formRequest(path, cookie);
    for (const auto &h : headers)
        request.setRawHeader(h.first, h.second);
    return send(m_browser.post(request, body));
}

QNetworkReply *SiteHarness::startPostForm(const QString &path, const QUrlQuery &form, const QString &cookie)
{
    return m_browser.post(formRequest(path, cookie), form.toString(QUrl::FullyEncoded).toUtf8());
}

HttpReply SiteHarness::postForm(const QString &path, const QUrlQuery &form, const QString &cookie)
{
    return post(path, form.toString(QUrl::FullyEncoded).toUtf8(), cookie);
}

QString SiteHarness::login(QString *memberId)
{
    const QString member = m_openHumans->addMember();
    if (memberId)
        *memberId = member;
    return loginAs(member);
}

QString SiteHarness::loginAs(const QString &member)
{
    const HttpReply start = get(QStringLiteral("/login"));
    const QUrl authorize(QString::fromLatin1(start.header("Location")));
    const QString state = QUrlQuery(authorize).queryItemValue(QStringLiteral("state"));
    const QString code = m_openHumans->approve(member, m_options.settings.redirectUri());
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("code"), code);
    query.addQueryItem(QStringLiteral("state"), state);
    const HttpReply done = get(QStringLiteral("/oauth/callback?") + query.toString(QUrl::FullyEncoded),
                               start.sessionCookie());
    return done.status == 303 ? done.sessionCookie() : QString();
}

QUrlQuery SiteHarness::nightscoutForm(const QString &cookie, const QString &url, const QString &secret,
                                      bool shareOpenAps, bool shareNsf)
{
    QUrlQuery form;
    form.addQueryItem(QStringLiteral("csrf"), csrfToken(get(QStringLiteral("/me"), cookie).body));
    form.addQueryItem(QStringLiteral("url"), QString::fromLatin1(QUrl::toPercentEncoding(url)));
    form.addQueryItem(QStringLiteral("secret"), QString::fromLatin1(QUrl::toPercentEncoding(secret)));
    if (shareOpenAps)
        form.addQueryItem(QStringLiteral("share_openaps"), QStringLiteral("yes"));
    if (shareNsf)
        form.addQueryItem(QStringLiteral("share_nsf"), QStringLiteral("yes"));
    return form;
}

HttpReply SiteHarness::saveNightscout(const QString &cookie, const QString &url, const QString &secret,
                                      bool shareOpenAps, bool shareNsf)
{
    return postForm(QStringLiteral("/me/nightscout"), nightscoutForm(cookie, url, secret, shareOpenAps, shareNsf),
                    cookie);
}

QList<QByteArray> SiteHarness::filesNamed(const QString &memberId, const QString &basename)
{
    QList<QByteArray> contents;
    const auto files = m_openHumans->files(memberId);
    for (const auto &f : files) {
        if (f.basename == basename && f.complete)
            contents.append(f.content);
    }
    return contents;
}

QString SiteHarness::csrfToken(const QByteArray &html)
{
    static const QRegularExpression field(QStringLiteral("name=\"csrf\" value=\"([^\"]+)\""));
    const auto match = field.match(QString::fromUtf8(html));
    return match.hasMatch() ? match.captured(1) : QString();
}

} // namespace openaps::test
