#pragma once

#include "site/consenthistory.h"
#include "site/pagerenderer.h"
#include "site/participantstore.h"
#include "site/sessionstore.h"
#include "site/sitesettings.h"

#include <QMap>
#include <QStringList>

namespace openaps::site {

// What the logged-in page's form shows: the participant's last input (never
// the token) and the outcome of the last submit.
struct FormState
{
    QString url;
    bool shareOpenAps = false;
    bool shareNsf = false;
    bool fromInput = false; // url/boxes come from a submit, not from what is saved
    QString problemTitle;
    QString problemText;
    bool openTokenHelp = false;
    bool saved = false;
};

// The consent text the form shows and the choices made so far.
struct ConsentView
{
    QString version; // ConsentTexts::currentVersion()
    QString text; // its HTML fragment
    QList<ConsentChange> history; // newest first
};

// What the "deleted" page reports.
struct DeletionView
{
    QMap<QString, qint64> rowsByTable; // what the erasure removed
    bool openHumansDone = false; // URL file removed, "none" written
    int dataFilesLeft = 0; // data files that stay in the Open Humans account
};

enum class LoginProblem {
    StateMismatch, // the callback's state is not this browser's
    Cancelled, // the participant did not approve
    Failed, // Open Humans did not confirm the code
};

// Builds the data each template needs. Keys that a template tests as a
// section are only set when true or non-empty (mustache treats "" as true).
class Pages
{
public:
    explicit Pages(const SiteSettings &settings) : m_settings(settings) { }

    PageData landing(const Session *session) const;
    PageData me(const Session &session, const ParticipantView &participant, const TransferStatus &status,
                const FormState &form, const ConsentView &consent) const;
    PageData rejoin(const Session &session, const ParticipantView &participant) const;
    PageData deleteConfirm(const Session &session) const;
    PageData deleted(const DeletionView &deletion) const;
    PageData consentText(const Session *session, const QString &version, const QString &html) const;
    PageData message(const Session *session, const QString &title, const QString &heading,
                     const QStringList &paragraphs, const QString &actionUrl = {}, const QString &actionLabel = {},
                     const QString &kind = QStringLiteral("info")) const;

    // The message page for an HTTP error status (404, 403, 413, 429, 500).
    bool hasErrorPage(int status) const;
    PageData httpError(int status, const Session *session) const;
    PageData loginProblem(LoginProblem problem) const;

private:
    PageData base(const QString &title, const Session *session) const;

    const SiteSettings &m_settings;
};

// Everything the logged-in page shows when no form was just submitted: equal
// fingerprints render to the same page, so the rendered page can be reused.
QByteArray pageFingerprint(const Session &session, const ParticipantView &participant, const TransferStatus &status,
                           bool saved, const ConsentView &consent);

// Plain words for what a table held, for the "deleted" page ("Glucose readings").
QString tableLabel(const QString &table);

// "31 January 2024, 14:05 UTC" (site.js shows it in local time).
QString readableUtc(const QDateTime &when);

} // namespace openaps::site
