#include "site/pages.h"

#include "nightscout/siteurl.h"
#include "records/consent.h"
#include "site/messages.h"

#include <QLocale>

namespace openaps::site {

namespace {

void setIf(PageData &data, const char *key, bool condition)
{
    if (condition)
        data.set(key, true);
}

} // namespace

QByteArray pageFingerprint(const Session &session, const ParticipantView &participant, const TransferStatus &status,
                           bool saved)
{
    QStringList parts { session.csrfToken,
                        participant.memberId,
                        participant.nightscoutUrl,
                        participant.consent,
                        QString::number(participant.savedAt.toMSecsSinceEpoch()),
                        QString::number(participant.urlFileCount),
                        QString::number(participant.deauthorized),
                        QString::number(status.lastSuccessAt.toMSecsSinceEpoch()),
                        status.lastErrorCode,
                        status.lastErrorMessage,
                        QString::number(saved) };
    for (const auto &type : status.types)
        parts << type.dataType << QString::number(type.records);
    // A separator no field can hold keeps ("ab","c") apart from ("a","bc").
    return parts.join(QChar(0x1f)).toUtf8();
}

QString readableUtc(const QDateTime &when)
{
    return QLocale::c().toString(when.toUTC(), QStringLiteral("d MMMM yyyy, HH:mm")) + QStringLiteral(" UTC");
}

PageData Pages::base(const QString &title, const Session *session) const
{
    PageData data;
    data.set("title", text(title));
    data.set("ohBaseUrl", text(m_settings.openHumansBase.toString()));
    if (session && session->loggedIn()) {
        data.set("loggedIn", true);
        data.set("csrf", text(session->csrfToken));
    }
    return data;
}

PageData Pages::landing(const Session *session) const
{
    return base(QStringLiteral("Share your diabetes data for research"), session);
}

PageData Pages::me(const Session &session, const ParticipantView &participant, const TransferStatus &status,
                   const FormState &form) const
{
    PageData data = base(QStringLiteral("Your data sharing"), &session);
    data.set("memberId", text(participant.memberId));
    data.set("csrf", text(session.csrfToken));

    const auto savedConsent = records::parseConsent(participant.consent);
    const bool hasSaved = !participant.nightscoutUrl.isEmpty() || savedConsent.has_value();
    setIf(data, "hasSaved", hasSaved);
    const auto savedSite = ns::SiteUrl::parse(participant.nightscoutUrl);
    data.set("savedHost", text(savedSite ? savedSite->toString() : QStringLiteral("(none saved)")));
    if (savedConsent)
        data.set("savedConsent", text(records::consentDescription(*savedConsent)));
    if (participant.savedAt.isValid()) {
        data.set("savedAt", text(readableUtc(participant.savedAt)));
        data.set("savedAtIso", text(participant.savedAt.toString(Qt::ISODate)));
    }
    if (form.saved) {
        data.set("saved", true);
        data.set("savedText",
                 text(savedConsent == records::Consent::None
                              ? QStringLiteral("Your choice is saved in your Open Humans account. "
                                               "Nothing will be shared from now on.")
                              : QStringLiteral("Your Nightscout address and your choice are saved in "
                                               "your Open Humans account. The first data should move "
                                               "within the next hour.")));
    }
    if (!form.problemText.isEmpty()) {
        data.set("problem", true);
        data.set("problemTitle", text(form.problemTitle));
        data.set("problemText", text(form.problemText));
    }
    setIf(data, "openTokenHelp", form.openTokenHelp);
    if (participant.urlFileCount > 1) {
        data.set("severalUrlFiles", true);
        data.set("urlFileCount", text(QString::number(participant.urlFileCount)));
    }

    // The form starts from what is saved; after a failed submit, from the input.
    const records::Consent shown = form.fromInput ? records::consentFromBoxes(form.shareOpenAps, form.shareNsf)
                                                  : savedConsent.value_or(records::Consent::None);
    setIf(data, "shareOpenaps", records::sharesWithOpenAps(shown));
    setIf(data, "shareNsf", records::sharesWithNsf(shown));
    data.set("formUrl", text(form.fromInput ? form.url : participant.nightscoutUrl));

    if (status.lastSuccessAt.isValid()) {
        data.set("lastMoved", text(readableUtc(status.lastSuccessAt)));
        data.set("lastMovedIso", text(status.lastSuccessAt.toString(Qt::ISODate)));
    } else {
        data.set("lastMoved",
                 text(hasSaved ? QStringLiteral("Not yet. The first transfer starts "
                                                "within an hour of saving.")
                               : QStringLiteral("Not yet.")));
    }
    PageData counts(PageData::type::list);
    for (const auto &type : status.types) {
        PageData row;
        row.set("label", text(dataTypeLabel(type.dataType)));
        row.set("records", text(QLocale(QLocale::English).toString(type.records)));
        counts.push_back(row);
    }
    if (!status.types.isEmpty()) {
        data.set("hasCounts", true);
        data.set("counts", counts);
    }
    if (!status.lastErrorCode.isEmpty() || !status.lastErrorMessage.isEmpty()) {
        data.set("transferProblem", true);
        data.set("transferProblemText", text(transferProblem(status.lastErrorCode, status.lastErrorMessage)));
    }
    QUrl ohData = m_settings.openHumansBase;
    ohData.setPath(ohData.path() + QStringLiteral("/member/me/research-data/"));
    data.set("ohDataUrl", text(ohData.toString()));
    return data;
}

PageData Pages::message(const Session *session, const QString &title, const QString &heading,
                        const QStringList &paragraphs, const QString &actionUrl, const QString &actionLabel,
                        const QString &kind) const
{
    PageData data = base(title, session);
    data.set("heading", text(heading));
    data.set("kind", text(kind));
    PageData list(PageData::type::list);
    for (const QString &p : paragraphs)
        list.push_back(PageData(text(p)));
    data.set("paragraphs", list);
    if (!actionUrl.isEmpty()) {
        data.set("hasAction", true);
        data.set("actionUrl", text(actionUrl));
        data.set("actionLabel", text(actionLabel));
    }
    return data;
}

bool Pages::hasErrorPage(int status) const
{
    return status == 403 || status == 404 || status == 413 || status == 429 || status == 500;
}

PageData Pages::httpError(int status, const Session *session) const
{
    const QString home = QStringLiteral("/");
    const QString start = QStringLiteral("Go to the start page");
    switch (status) {
    case 404:
        return message(session, QStringLiteral("Page not found"), QStringLiteral("We could not find this page"),
                       { QStringLiteral("The link may be old or mistyped.") }, home, start);
    case 403:
        return message(session, QStringLiteral("Please try again"), QStringLiteral("This form has expired"),
                       { QStringLiteral("For your safety, forms only work for a while and only from "
                                        "this site. Please go back, reload the page and send it "
                                        "again.") },
                       QStringLiteral("/me"), QStringLiteral("Reload your page"));
    case 413:
        return message(session, QStringLiteral("Too much text"), QStringLiteral("That was more than we can take"),
                       { QStringLiteral("The form held far more text than a Nightscout address and "
                                        "token need. Please check what you pasted and try again.") },
                       QStringLiteral("/me"), QStringLiteral("Back to your page"));
    case 429:
        return message(session, QStringLiteral("Please wait"), QStringLiteral("Too many tries in a short time"),
                       { QStringLiteral("To protect your account we accept only a limited number of "
                                        "form submissions from one place in a short time. Please "
                                        "wait a few minutes and try again.") },
                       home, start);
    default:
        return message(session, QStringLiteral("Something went wrong"),
                       QStringLiteral("Something went wrong on our side"),
                       { QStringLiteral("This is not your fault, and nothing you saved was lost. "
                                        "Please try again in a few minutes.") },
                       home, start, QStringLiteral("error"));
    }
}

PageData Pages::loginProblem(LoginProblem problem) const
{
    const QString login = QStringLiteral("/login");
    const QString loginLabel = QStringLiteral("Log in with Open Humans");
    switch (problem) {
    case LoginProblem::StateMismatch:
        return message(nullptr, QStringLiteral("Please log in again"),
                       QStringLiteral("This login link does not belong to this browser"),
                       { QStringLiteral("The login may have been started in another window, or it "
                                        "took too long. Nothing was changed. Please start again.") },
                       login, loginLabel);
    case LoginProblem::Cancelled:
        return message(nullptr, QStringLiteral("Login cancelled"), QStringLiteral("You did not log in"),
                       { QStringLiteral("Open Humans did not give us access, so nothing was shared. "
                                        "You can try again whenever you like.") },
                       login, loginLabel);
    case LoginProblem::Failed:
        break;
    }
    return message(nullptr, QStringLiteral("Login did not work"), QStringLiteral("We could not finish your login"),
                   { QStringLiteral("Open Humans did not confirm the login. This happens when a login "
                                    "link is used twice or Open Humans is busy. Please try again.") },
                   login, loginLabel);
}

} // namespace openaps::site
