// The participant's own choices beyond the form (README, "Participant site"):
// the privacy notice, the consent texts, "Download what we hold about me" and
// "Stop sharing and delete my data".
#include "site/participantsite.h"

#include "http/chunkqueue.h"
#include "http/exportstream.h"
#include "http/pendingreply.h"
#include "http/requests.h"
#include "privacy/participantdata.h"
#include "privacy/tombstones.h"
#include "records/consent.h"
#include "records/filenames.h"
#include "site/erasure.h"
#include "site/httphelpers.h"
#include "site/jobchain.h"
#include "site/memberexport.h"
#include "site/registrationjob.h"
#include "site/sitelog.h"

#include <QJsonObject>

namespace openaps::site {

using HttpStatus = QHttpServerResponse::StatusCode;

namespace {

constexpr qsizetype downloadQueueBytes = 1024 * 1024;

} // namespace

ParticipantSite::~ParticipantSite()
{
    // A download's producer may wait for room in its queue: cancel first.
    for (http::ExportStream *stream : findChildren<http::ExportStream *>(Qt::FindDirectChildrenOnly))
        stream->cancel();
    m_downloads.waitForDone();
}

std::variant<ParticipantSite::Visitor, QHttpServerResponse>
ParticipantSite::loggedInVisitor(const QHttpServerRequest &request)
{
    auto session = sessionOf(request);
    if (!session)
        return internalError(session.error());
    if (!*session || !(*session)->loggedIn())
        return redirectResponse("/", m_options.settings);
    auto participant = m_participants.find((*session)->participantId);
    if (!participant)
        return internalError(participant.error(), &**session);
    if (!*participant)
        return redirectResponse("/", m_options.settings);
    return Visitor { **session, **participant };
}

Result<ConsentView> ParticipantSite::consentView(qint64 participantId) const
{
    auto history = consentHistory(m_database, participantId);
    if (!history)
        return history.error();
    const QString version = m_consentTexts.currentVersion();
    return ConsentView { version, m_consentTexts.text(version), *history };
}

Status ParticipantSite::afterSaved(const Session &session, const ParticipantView &before, const QString &consent,
                                   const QString &textVersion)
{
    if (auto s = recordConsentChange(m_database, session.participantId,
                                     { QDateTime::currentDateTimeUtc(), consent, textVersion, consentevent::saved });
        !s)
        return s;
    if (consent == QLatin1String("none")) {
        // The page promises the research rows go within seconds, not at the
        // next ETL pass: they go now. The ETL forgets the loaded files, so
        // sharing again loads everything again.
        auto removed = privacy::removeParticipantData(m_database, m_keys.pseudonym(before.memberId),
                                                      session.participantId);
        if (!removed)
            return removed.error();
        qCInfo(lcSite, "participant %lld withdrew: %lld research rows removed", session.participantId, *removed);
    }
    auto now = m_participants.find(session.participantId);
    if (!now)
        return now.error();
    if (*now && (*now)->siteSharedWithOthers && !before.siteSharedWithOthers) {
        qCWarning(lcSite, "participant %lld saved a Nightscout site another member registered too",
                  session.participantId);
        return writeAudit(m_database, QStringLiteral("participant.duplicate-site"), {});
    }
    return {};
}

QHttpServerResponse ParticipantSite::onPrivacy(const QHttpServerRequest &request)
{
    auto session = sessionOf(request);
    if (!session)
        return internalError(session.error());
    const Session *s = *session ? &**session : nullptr;
    PageData data = m_pages.message(s, QStringLiteral("Privacy and contact"), {}, {});
    m_privacy.fill(data);
    return page(QStringLiteral("privacy"), data);
}

QHttpServerResponse ParticipantSite::onConsentText(const QString &version, const QHttpServerRequest &request)
{
    auto session = sessionOf(request);
    if (!session)
        return internalError(session.error());
    const Session *s = *session ? &**session : nullptr;
    if (!m_consentTexts.has(version))
        return errorPage(HttpStatus::NotFound, s);
    return page(QStringLiteral("consent"), m_pages.consentText(s, version, m_consentTexts.text(version)));
}

void ParticipantSite::onDownload(const QHttpServerRequest &request, QHttpServerResponder &&responder)
{
    auto visitor = loggedInVisitor(request);
    if (auto *response = std::get_if<QHttpServerResponse>(&visitor))
        return response->write(std::move(responder));
    const auto &[session, participant] = std::get<Visitor>(visitor);
    if (participant.rejoinPending)
        return redirectResponse("/me", m_options.settings).write(std::move(responder));

    QHttpServerResponse headersOnly(HttpStatus::Ok);
    addSecurityHeaders(headersOnly, m_options.settings);
    headersOnly.setHeader("Cache-Control", "no-store");
    const QByteArray name = "openaps-data-commons-" + participant.memberId.toUtf8() + '-'
            + QDate::currentDate().toString(Qt::ISODate).toUtf8() + ".json";
    QList<std::pair<QByteArray, QByteArray>> headers {
        { "Content-Type", "application/json; charset=utf-8" },
        { "Content-Disposition", "attachment; filename=\"" + name + '"' },
    };
    headers += http::headersOf(headersOnly);
    auto queue = std::make_shared<http::ChunkQueue>(downloadQueueBytes);
    auto *stream = new http::ExportStream(
            std::move(responder), queue, std::move(headers),
            [this](const Error &error) { return internalError(error); }, this);
    const qint64 participantId = session.participantId;
    connect(stream, &http::ExportStream::finished, this, [stream, participantId](const http::ExportStream::Result &r) {
        qCInfo(lcSite, "participant %lld downloaded their data: %lld rows, %lld bytes, %s", participantId, r.rows,
               r.bytes, r.outcome == http::ExportStream::Outcome::Complete ? "complete" : "not complete");
        stream->deleteLater();
    });
    const ExportSubject subject { participantId, participant.memberId, m_keys.pseudonym(participant.memberId) };
    m_downloads.start([database = m_database, subject, queue] {
        if (!queue->setEstimate(0))
            return;
        qint64 rows = 0;
        auto written = writeMemberExport(database, subject, [&](QByteArray chunk) {
            ++rows;
            return queue->push(std::move(chunk), rows);
        });
        database.closeConnection();
        queue->finish(written ? *written : rows, written ? std::nullopt : std::optional<Error>(written.error()));
    });
}

QHttpServerResponse ParticipantSite::onDeleteConfirm(const QHttpServerRequest &request)
{
    auto visitor = loggedInVisitor(request);
    if (auto *response = std::get_if<QHttpServerResponse>(&visitor))
        return std::move(*response);
    return page(QStringLiteral("deleteconfirm"), m_pages.deleteConfirm(std::get<Visitor>(visitor).session));
}

void ParticipantSite::onDelete(const QHttpServerRequest &request, QHttpServerResponder &&responder)
{
    auto post = loggedInPost(request);
    if (auto *response = std::get_if<QHttpServerResponse>(&post))
        return response->write(std::move(responder));
    const Session current = std::get<Session>(post);
    auto participant = m_participants.find(current.participantId);
    auto tokens = m_participants.tokens(current.participantId);
    if (!participant || !tokens)
        return internalError(!participant ? participant.error() : tokens.error(), &current).write(std::move(responder));
    if (!*participant)
        return redirectResponse("/", m_options.settings).write(std::move(responder));
    const ParticipantView who = **participant;
    auto reply = std::make_shared<http::PendingReply>(std::move(responder));
    auto deletion = std::make_shared<DeletionView>();

    // Last step: the erasure, whatever Open Humans said, then the report.
    auto erase = [this, reply, deletion, who, current] {
        auto erased = eraseMember(m_database, m_keys, who.memberId);
        if (!erased)
            return reply->send(internalError(erased.error(), &current));
        // What the erasure itself removed, in its own transaction.
        deletion->rowsByTable = erased->rowsByTable;
        qCInfo(lcSite, "participant %lld stopped and deleted their data (%lld rows)", who.id, erased->rows);
        QHttpServerResponse response = page(QStringLiteral("deleted"), m_pages.deleted(*deletion));
        response.setHeader("Set-Cookie", sessionCookie(m_options.settings, {}, {}));
        reply->send(std::move(response));
    };
    const QDateTime soon = QDateTime::currentDateTimeUtc().addSecs(120);
    if (!*tokens || (*tokens)->expiredAt(soon))
        return erase(); // no access to Open Humans any more: nothing can be copied anyway

    // Open Humans first, while the project still has access: remove the
    // address (and its token), leave "none", and count the data files left.
    const QString accessToken = (*tokens)->accessToken;
    Registration stop { who.memberId, accessToken, {}, {}, records::Consent::None };
    stop.deleteUrlFile = true;
    auto *job = new RegistrationJob(m_nam, m_openHumans, m_options.probe, stop, this);
    connect(job, &RegistrationJob::finished, this, [this, job, deletion, erase, accessToken] {
        job->deleteLater();
        deletion->openHumansDone = job->result().ok();
        if (!deletion->openHumansDone)
            qCInfo(lcSite, "stopping at Open Humans failed: %s", qPrintable(job->result().error().code));
        runJob(m_openHumans.exchangeMember(accessToken, this), this, [deletion, erase](const Result<oh::Member> &m) {
            if (m) {
                for (const oh::MemberFile &f : m->files)
                    deletion->dataFilesLeft += records::classifyFile(f.basename).kind == records::FileKind::Data;
            }
            erase();
        });
    });
    job->start();
}

QHttpServerResponse ParticipantSite::onRejoin(const QHttpServerRequest &request)
{
    auto post = loggedInPost(request);
    if (auto *response = std::get_if<QHttpServerResponse>(&post))
        return std::move(*response);
    const Session current = std::get<Session>(post);
    auto participant = m_participants.find(current.participantId);
    if (!participant)
        return internalError(participant.error(), &current);
    if (!*participant || !(*participant)->rejoinPending)
        return redirectResponse("/me", m_options.settings);
    const ParticipantView who = **participant;

    if (http::parseForm(request.body()).value(QStringLiteral("answer")) != QLatin1String("yes")) {
        // Keep everything stopped: the login just stored goes again, the
        // tombstone stays.
        if (auto erased = eraseMember(m_database, m_keys, who.memberId); !erased)
            return internalError(erased.error(), &current);
        QHttpServerResponse response = page(
                QStringLiteral("message"),
                m_pages.message(nullptr, QStringLiteral("Nothing is shared"),
                                QStringLiteral("Everything stays stopped"),
                                { QStringLiteral("We copied nothing and shared nothing, and we have forgotten "
                                                 "this login. You have been logged out."),
                                  QStringLiteral("You can come back and start again at any time.") },
                                QStringLiteral("/"), QStringLiteral("Go to the start page")));
        response.setHeader("Set-Cookie", sessionCookie(m_options.settings, {}, {}));
        return response;
    }
    if (auto lifted = privacy::liftTombstone(m_database, m_keys, who.memberId); !lifted)
        return internalError(lifted.error(), &current);
    if (auto confirmed = m_participants.confirmRejoin(who.id); !confirmed)
        return internalError(confirmed.error(), &current);
    const QString consent = who.consent.isEmpty() ? QStringLiteral("none") : who.consent;
    if (auto s = recordConsentChange(
                m_database, who.id,
                { QDateTime::currentDateTimeUtc(), consent, m_consentTexts.currentVersion(), consentevent::rejoined });
        !s)
        return internalError(s.error(), &current);
    qCInfo(lcSite, "participant %lld confirmed sharing again after an erasure", who.id);
    return redirectResponse("/me", m_options.settings);
}

} // namespace openaps::site
