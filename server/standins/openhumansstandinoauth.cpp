// The OAuth2 half of the Open Humans stand-in: the authorize page with its
// Approve button, and the token endpoint (codes, refresh with rotation).

#include "standins/openhumansstandin.h"

#include <QJsonObject>
#include <QUrlQuery>

namespace openaps::standins {

namespace {

StandInReply htmlPage(const QString &title, const QString &body, int status = 200)
{
    const QString page = QStringLiteral("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                                        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                                        "<title>%1</title></head><body style=\"font-family:sans-serif;"
                                        "max-width:34em;margin:2em auto;padding:0 1em\"><h1>%1</h1>%2</body></html>")
                                 .arg(title.toHtmlEscaped(), body);
    return StandInReply::text(page.toUtf8(), status, "text/html; charset=utf-8");
}

QString hidden(const QString &name, const QString &value)
{
    return QStringLiteral("<input type=\"hidden\" name=\"%1\" value=\"%2\">").arg(name, value.toHtmlEscaped());
}

QUrl withQuery(QUrl url, const QList<QPair<QString, QString>> &items)
{
    QUrlQuery query(url);
    for (const auto &item : items)
        query.addQueryItem(item.first, QString::fromLatin1(QUrl::toPercentEncoding(item.second)));
    url.setQuery(query);
    return url;
}

// Checks client_id, response_type and redirect_uri the way the real page
// does; on success `redirectUri` holds where to send the browser back.
bool checkAuthorizeRequest(const OpenHumansStandIn::Options &options, const QUrlQuery &params, QUrl *redirectUri,
                           StandInReply *refusal)
{
    const auto refuse = [refusal](const QString &why) {
        *refusal = htmlPage(QStringLiteral("Cannot authorize"), QStringLiteral("<p>%1</p>").arg(why.toHtmlEscaped()),
                            400);
        return false;
    };
    if (params.queryItemValue(QStringLiteral("client_id"), QUrl::FullyDecoded) != options.clientId)
        return refuse(QStringLiteral("This project is not known (client_id)."));
    if (params.queryItemValue(QStringLiteral("response_type")) != QLatin1String("code"))
        return refuse(QStringLiteral("Only response_type=code is supported."));
    const QString given = params.queryItemValue(QStringLiteral("redirect_uri"), QUrl::FullyDecoded);
    *redirectUri = given.isEmpty() ? options.redirectUri : QUrl(given);
    if (!redirectUri->isValid() || redirectUri->isEmpty())
        return refuse(QStringLiteral("No redirect_uri was given."));
    if (!options.redirectUri.isEmpty() && *redirectUri != options.redirectUri)
        return refuse(QStringLiteral("The redirect_uri does not match the project's."));
    return true;
}

} // namespace

StandInReply OpenHumansStandIn::authorizePage(const Request &request)
{
    const QUrlQuery params = request.query;
    QUrl redirectUri;
    StandInReply refusal;
    if (!checkAuthorizeRequest(m_options, params, &redirectUri, &refusal))
        return refusal;
    QString members = QStringLiteral("<option value=\"new\">A new participant</option>");
    const QStringList ids = m_store.memberIds();
    for (const QString &id : ids)
        members += QStringLiteral("<option value=\"%1\">Participant %1</option>").arg(id.toHtmlEscaped());
    const QString form = QStringLiteral(
                                 "<p><b>%1</b> asks to add data to your Open Humans account and read the "
                                 "files it added.</p><p>This is a stand-in for Open Humans: choose who you "
                                 "are.</p><form method=\"post\">%2%3%4%5"
                                 "<p><label>Log in as <select name=\"member\">%6</select></label></p>"
                                 "<p><button type=\"submit\" name=\"decision\" value=\"approve\">Approve</button> "
                                 "<button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button></p>"
                                 "</form>")
                                 .arg(m_options.projectName.toHtmlEscaped(),
                                      hidden(QStringLiteral("client_id"), m_options.clientId),
                                      hidden(QStringLiteral("response_type"), QStringLiteral("code")),
                                      hidden(QStringLiteral("redirect_uri"), redirectUri.toString(QUrl::FullyEncoded)),
                                      hidden(QStringLiteral("state"),
                                             params.queryItemValue(QStringLiteral("state"), QUrl::FullyDecoded)),
                                      members);
    return htmlPage(QStringLiteral("Authorize project"), form);
}

StandInReply OpenHumansStandIn::approveForm(const Request &request)
{
    const QUrlQuery form = request.form();
    QUrl redirectUri;
    StandInReply refusal;
    if (!checkAuthorizeRequest(m_options, form, &redirectUri, &refusal))
        return refusal;
    const QString state = form.queryItemValue(QStringLiteral("state"), QUrl::FullyDecoded);
    QList<QPair<QString, QString>> items;
    if (form.queryItemValue(QStringLiteral("decision")) == QLatin1String("deny")) {
        items.append({ QStringLiteral("error"), QStringLiteral("access_denied") });
    } else {
        QString member = form.queryItemValue(QStringLiteral("member"), QUrl::FullyDecoded);
        if (member.isEmpty() || member == QLatin1String("new") || !m_store.hasMember(member))
            member = m_store.addMember();
        items.append({ QStringLiteral("code"), m_store.issueCode(member, redirectUri.toString(QUrl::FullyEncoded)) });
    }
    if (!state.isEmpty())
        items.append({ QStringLiteral("state"), state });
    return StandInReply::redirect(withQuery(redirectUri, items));
}

StandInReply OpenHumansStandIn::token(const Request &request)
{
    const auto oauthError = [](const char *error, int status) {
        return StandInReply::json(QJsonObject { { QStringLiteral("error"), QLatin1String(error) } }, status);
    };
    const QByteArray expected = (m_options.clientId + QLatin1Char(':') + m_options.clientSecret).toUtf8();
    const QByteArray authorization = request.header("Authorization");
    if (!authorization.startsWith("Basic ") || QByteArray::fromBase64(authorization.mid(6).trimmed()) != expected)
        return oauthError("invalid_client", 401);

    const QUrlQuery form = request.form();
    const QString grantType = form.queryItemValue(QStringLiteral("grant_type"));
    Result<OpenHumansStore::Grant> grant = makeError("invalid_grant", QString());
    if (grantType == QLatin1String("authorization_code")) {
        const QUrl redirect(form.queryItemValue(QStringLiteral("redirect_uri"), QUrl::FullyDecoded));
        grant = m_store.redeemCode(form.queryItemValue(QStringLiteral("code"), QUrl::FullyDecoded),
                                   redirect.toString(QUrl::FullyEncoded));
    } else if (grantType == QLatin1String("refresh_token")) {
        grant = m_store.redeemRefreshToken(form.queryItemValue(QStringLiteral("refresh_token"), QUrl::FullyDecoded));
    } else {
        return oauthError("unsupported_grant_type", 400);
    }
    // As Open Humans answers (RFC 6749 5.2): a bad code or refresh token is 401 invalid_grant.
    if (!grant)
        return oauthError("invalid_grant", 401);
    return StandInReply::json(QJsonObject {
            { QStringLiteral("access_token"), grant->accessToken },
            { QStringLiteral("refresh_token"), grant->refreshToken },
            { QStringLiteral("expires_in"), grant->expiresIn },
            { QStringLiteral("token_type"), QStringLiteral("Bearer") },
            { QStringLiteral("scope"), QStringLiteral("read write") },
    });
}

} // namespace openaps::standins
