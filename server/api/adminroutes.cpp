// The administrator's routes of ResearcherApi (README, "Researcher API (accounts)").
#include "api/researcherapi.h"

#include "api/apierror.h"
#include "api/apilog.h"
#include "api/jsonbody.h"
#include "mail/mailer.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QUrlQuery>

namespace openaps::api {

namespace {

Error notFound()
{
    return makeError("not-found", QStringLiteral("There is no researcher with this id."));
}

Error wrongStatus(const QString &action, const QString &current)
{
    return makeError("bad-request",
                     QStringLiteral("A researcher whose status is %1 cannot be %2.").arg(current, action));
}

} // namespace

QHttpServerResponse ResearcherApi::onAdminList(const QHttpServerRequest &request)
{
    auto admin = signedInAdmin(request);
    if (!admin)
        return errorResponse(admin.error());
    const QString filter = QUrlQuery(request.url()).queryItemValue(QStringLiteral("status"));
    if (!filter.isEmpty() && !status::isKnown(filter))
        return errorResponse(makeError("bad-request",
                                       QStringLiteral("The parameter 'status' must be unverified, "
                                                      "pending, approved, rejected or deactivated.")));
    auto accounts = m_store.list(filter);
    if (!accounts)
        return errorResponse(accounts.error());
    QJsonArray list;
    for (const Account &account : std::as_const(*accounts))
        list.append(adminResearcherJson(account));
    return jsonResponse({ { QStringLiteral("researchers"), list } });
}

QHttpServerResponse ResearcherApi::onAdminAction(const QString &idText, const QString &action,
                                                 const QHttpServerRequest &request)
{
    if (auto refused = refuse(request, false))
        return std::move(*refused);
    auto admin = signedInAdmin(request);
    if (!admin)
        return errorResponse(admin.error());
    bool isNumber = false;
    const qint64 id = idText.toLongLong(&isNumber);
    const bool known = action == QLatin1String("approve") || action == QLatin1String("reject")
            || action == QLatin1String("deactivate");
    if (!isNumber || !known)
        return errorResponse(makeError("not-found", QStringLiteral("There is no such admin action.")));
    auto found = m_store.findById(id);
    if (!found)
        return errorResponse(found.error());
    if (!*found)
        return errorResponse(notFound());
    const Account account = **found;
    Status done;
    if (action == QLatin1String("approve")) {
        // An empty body is not enough: the scope must be chosen on purpose.
        auto body = JsonBody::parse(request.body());
        if (!body)
            return errorResponse(body.error());
        auto scopeText = body->text(QStringLiteral("scope"), 20);
        if (!scopeText)
            return errorResponse(scopeText.error());
        auto scope = parseScope(*scopeText);
        if (!scope)
            return errorResponse(scope.error());
        auto isAdmin = body->optionalBool(QStringLiteral("is_admin"), account.isAdmin);
        if (!isAdmin)
            return errorResponse(isAdmin.error());
        if (account.status == status::unverified)
            return errorResponse(makeError("bad-request",
                                           QStringLiteral("This researcher has not confirmed "
                                                          "their email address yet.")));
        done = m_store.approve(id, *scope, *isAdmin, admin->id, now());
        if (done && m_mailer && m_mailer->isConfigured())
            m_mailer->send(approvedMail(account), this, {});
    } else if (action == QLatin1String("reject")) {
        if (account.status != status::unverified && account.status != status::pending)
            return errorResponse(wrongStatus(QStringLiteral("rejected (deactivate an approved one)"), account.status));
        // The applicant is told why, as the old system's administrators did by email.
        auto body = JsonBody::parse(request.body());
        if (!body)
            return errorResponse(body.error());
        auto reason = body->text(QStringLiteral("reason"), 4000);
        if (!reason)
            return errorResponse(reason.error());
        done = m_store.reject(id, *reason, now());
        if (done && m_mailer && m_mailer->isConfigured())
            m_mailer->send(rejectedMail(account, *reason), this, {});
    } else {
        if (account.status != status::approved)
            return errorResponse(wrongStatus(QStringLiteral("deactivated"), account.status));
        if (id == admin->id)
            return errorResponse(makeError("bad-request", QStringLiteral("You cannot deactivate your own account.")));
        done = m_store.setStatus(id, status::deactivated, now());
    }
    if (!done)
        return errorResponse(done.error());
    qCInfo(lcApi, "admin %lld: %s researcher %lld", admin->id, qPrintable(action), id);
    auto updated = m_store.findById(id);
    if (!updated || !*updated)
        return errorResponse(updated ? notFound() : updated.error());
    return jsonResponse(adminResearcherJson(**updated));
}

} // namespace openaps::api
