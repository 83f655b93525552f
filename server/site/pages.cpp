#include "site/pages.h"

#include "nightscout/siteurl.h"
#include "records/consent.h"
#include "site/messages.h"

#include <QHash>
#include <QLocale>
#include <QMap>

namespace openaps::site {

namespace {

void setIf(PageData &data, const char *key, bool condition)
{
    if (condition)
        data.set(key, true);
}

QString consentDescriptionOr(const std::optional<records::Consent> &consent)
{
    return consent ? records::consentDescription(*consent) : QStringLiteral("(unknown)");
}

QUrl withPath(QUrl base, const QString &path)
{
    base.setPath(base.path() + path);
    return base;
}

} // namespace

QByteArray pageFingerprint(const Session &session, const ParticipantView &participant, const TransferStatus &status,
                           bool saved, const ConsentView &consent)
{
    QStringList parts { session.csrfToken,
                        participant.memberId,
                        participant.nightscoutUrl,
                        participant.consent,
                        QString::number(participant.savedAt.toMSecsSinceEpoch()),
                        QString::number(participant.urlFileCount),
                        QString::number(participant.deauthorized),
                        QString::number(participant.credentialSaved),
                        QString::number(participant.siteSharedWithOthers),
                        QString::number(participant.rejoinPending),
                        consent.version,
                        QString::number(consent.history.size()),
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
                   const FormState &form, const ConsentView &consent) const
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
                              ? QStringLiteral("Your choice is saved in your Open Humans account. Nothing "
                                               "will be shared from now on, and your data has been taken out "
                                               "of the research database. The copies in your Open Humans "
                                               "account stay yours.")
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
    setIf(data, "tokenSaved", participant.credentialSaved);
    setIf(data, "siteShared", participant.siteSharedWithOthers);
    data.set("consentVersion", text(consent.version));
    data.set("consentText", text(consent.text));
    PageData history(PageData::type::list);
    for (const ConsentChange &change : consent.history) {
        PageData row;
        row.set("at", text(readableUtc(change.at)));
        row.set("atIso", text(change.at.toString(Qt::ISODate)));
        const auto choice = records::parseConsent(change.consent);
        const QString choiceText = choice == records::Consent::None
                ? QStringLiteral("you chose to share with no one")
                : QStringLiteral("you chose to share with ") + consentDescriptionOr(choice);
        row.set("what",
                text(change.event == consentevent::rejoined
                             ? QStringLiteral("you started again after your data was deleted; ") + choiceText
                             : choiceText));
        row.set("version", text(change.textVersion));
        history.push_back(row);
    }
    if (!consent.history.isEmpty()) {
        data.set("hasHistory", true);
        data.set("history", history);
    }
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
    // Not sharing (or having deleted one's data) is the participant's choice, not a problem.
    if (status.lastErrorCode == QLatin1String("consent_none") || status.lastErrorCode == QLatin1String("erased")) {
        data.set("transferNote", true);
        data.set("transferNoteText", text(transferProblem(status.lastErrorCode, status.lastErrorMessage)));
    } else if (!status.lastErrorCode.isEmpty() || !status.lastErrorMessage.isEmpty()) {
        data.set("transferProblem", true);
        data.set("transferProblemText", text(transferProblem(status.lastErrorCode, status.lastErrorMessage)));
    }
    data.set("ohDataUrl",
             text(withPath(m_settings.openHumansBase, QStringLiteral("/member/me/research-data/")).toString()));
    return data;
}

PageData Pages::rejoin(const Session &session, const ParticipantView &participant) const
{
    PageData data = base(QStringLiteral("Welcome back"), &session);
    data.set("memberId", text(participant.memberId));
    const auto consent = records::parseConsent(participant.consent);
    const auto site = ns::SiteUrl::parse(participant.nightscoutUrl);
    if (consent && *consent != records::Consent::None) {
        data.set("hasOldChoice", true);
        data.set("oldConsent", text(records::consentDescription(*consent)));
        if (site)
            data.set("oldHost", text(site->toString()));
    }
    return data;
}

PageData Pages::deleteConfirm(const Session &session) const
{
    return base(QStringLiteral("Stop sharing and delete my data"), &session);
}

PageData Pages::deleted(const DeletionView &deletion) const
{
    PageData data = base(QStringLiteral("Your data has been deleted"), nullptr);
    // Several tables can make one line ("Looping system reports").
    QMap<QString, qint64> byLabel;
    QStringList order;
    for (auto it = deletion.rowsByTable.cbegin(); it != deletion.rowsByTable.cend(); ++it) {
        const QString label = tableLabel(it.key());
        if (!byLabel.contains(label))
            order.append(label);
        byLabel[label] += it.value();
    }
    PageData removed(PageData::type::list);
    for (const QString &label : std::as_const(order)) {
        PageData row;
        row.set("label", text(label));
        row.set("rows", text(QLocale(QLocale::English).toString(byLabel.value(label))));
        removed.push_back(row);
    }
    if (!order.isEmpty()) {
        data.set("hasRemoved", true);
        data.set("removed", removed);
    }
    setIf(data, "ohDone", deletion.openHumansDone);
    if (deletion.dataFilesLeft > 0) {
        data.set("hasDataFiles", true);
        data.set("dataFiles", text(QString::number(deletion.dataFilesLeft)));
    }
    data.set("ohDataUrl",
             text(withPath(m_settings.openHumansBase, QStringLiteral("/member/me/research-data/")).toString()));
    return data;
}

PageData Pages::consentText(const Session *session, const QString &version, const QString &html) const
{
    PageData data = base(QStringLiteral("Consent text %1").arg(version), session);
    data.set("version", text(version));
    data.set("consentText", text(html));
    return data;
}

QString tableLabel(const QString &table)
{
    static const QHash<QString, QString> labels {
        { QStringLiteral("entries"), QStringLiteral("Glucose readings") },
        { QStringLiteral("treatments"), QStringLiteral("Treatments") },
        { QStringLiteral("device_status"), QStringLiteral("Looping system reports") },
        { QStringLiteral("device_status_metrics"), QStringLiteral("Looping system reports") },
        { QStringLiteral("profile"), QStringLiteral("Profile settings") },
        { QStringLiteral("member_demographics"), QStringLiteral("Survey answers") },
        { QStringLiteral("participants"), QStringLiteral("Your registration and Open Humans login") },
        { QStringLiteral("consent_history"), QStringLiteral("Your consent history") },
        { QStringLiteral("site_sessions"), QStringLiteral("Your login sessions on this site") },
    };
    if (labels.contains(table))
        return labels.value(table);
    if (table.startsWith(QLatin1String("analytics_")))
        return QStringLiteral("Summaries made from your data");
    if (table.startsWith(QLatin1String("demographics")) || table.startsWith(QLatin1String("survey")))
        return QStringLiteral("Survey answers");
    return QStringLiteral("Records of your transfers");
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
