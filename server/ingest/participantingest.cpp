#include "ingest/participantingest.h"

#include "ingest/errors.h"
#include "ingest/filelayout.h"
#include "ingest/ingestlog.h"
#include "privacy/tombstones.h"
#include "records/consent.h"
#include "records/datatype.h"
#include "records/filenames.h"
#include "records/urlfile.h"

#include <algorithm>
#include <numeric>

namespace openaps::ingest {

namespace {

// Small text files: a URL, a word.
constexpr qint64 kMaxSmallFileBytes = 64 * 1024;

// The newest of the files named `basename` (the old system could leave several).
std::optional<oh::MemberFile> newestNamed(const MemberFiles &files, const QString &basename)
{
    std::optional<oh::MemberFile> newest;
    for (const oh::MemberFile &file : files) {
        if (file.basename != basename)
            continue;
        if (!newest || file.created > newest->created
            || (file.created == newest->created && file.id.toLongLong() > newest->id.toLongLong()))
            newest = file;
    }
    return newest;
}

QString outcomeName(RunRecord::Outcome outcome)
{
    return outcome == RunRecord::Outcome::Ok         ? QStringLiteral("ok")
            : outcome == RunRecord::Outcome::Skipped ? QStringLiteral("skipped")
                                                     : QStringLiteral("failed");
}

} // namespace

qint64 ParticipantReport::total(qint64 TypeStats::*field) const
{
    qint64 n = 0;
    for (const TypeStats &s : types)
        n += s.*field;
    return n;
}

QString ParticipantReport::summaryLine() const
{
    QString line = QStringLiteral("participant=%1 outcome=%2").arg(participantId).arg(outcomeName(outcome));
    for (auto it = types.cbegin(); it != types.cend(); ++it)
        line += QStringLiteral(" %1=+%2/%3").arg(records::dataTypeName(it.key())).arg(it->added).arg(it->read);
    line += QStringLiteral(" segments=%1 ns_bytes=%2 oh_up=%3 oh_down=%4 duration_ms=%5")
                    .arg(std::accumulate(types.cbegin(), types.cend(), 0,
                                         [](int n, const TypeStats &s) { return n + s.segmentsWritten; }))
                    .arg(nightscoutBytes())
                    .arg(openHumansBytesUp())
                    .arg(openHumansBytesDown())
                    .arg(durationMs);
    if (!errorCode.isEmpty())
        line += QStringLiteral(" error=") + errorCode;
    return line;
}

ParticipantIngest::ParticipantIngest(QNetworkAccessManager *nam, jobs::OhSession *tokens, IngestStore *store,
                                     HostGate *gate, const IngestSettings &settings, qint64 participantId,
                                     QObject *parent)
    : Step(parent),
      m_nam(nam),
      m_tokens(tokens),
      m_store(store),
      m_gate(gate),
      m_settings(settings)
{
    m_report.participantId = participantId;
}

void ParticipantIngest::start()
{
    m_elapsed.start();
    m_upToMs = m_settings.clock().toMSecsSinceEpoch();
    auto participant = m_store->participant(m_report.participantId);
    if (!participant) {
        fail(errors::internal(participant.error()));
        return;
    }
    if (!participant->has_value()) {
        fail(errors::internal(makeError("gone", QStringLiteral("The participant no longer exists."))));
        return;
    }
    m_participant = **participant;
    if (m_participant.deauthorized) {
        skip(errors::kOhRevoked,
             QStringLiteral("This project no longer has access to your Open Humans "
                            "account. Log in again to start transfers."));
        return;
    }
    // An erased member who logged in again shares nothing until they confirm
    // on the site, which lifts the tombstone.
    auto erased = privacy::isTombstoned(m_store->database(), privacy::ParticipantKeys(m_settings.secretKey),
                                        m_participant.memberId);
    if (!erased) {
        fail(errors::internal(erased.error()));
        return;
    }
    if (*erased) {
        skip(errors::kErased,
             QStringLiteral("You deleted your data here. Confirm on this page that you want to share again "
                            "before anything is transferred."));
        return;
    }
    m_session = new OhAccess(m_tokens, m_participant.id, this);
    listFiles();
}

void ParticipantIngest::listFiles()
{
    m_session->call<oh::Member>(
            [this](const oh::Client &client, const QString &token) { return client.exchangeMember(token, this); },
            [this](Result<oh::Member> member) {
                if (!member) {
                    fail(errors::fromOpenHumans(member.error()));
                    return;
                }
                m_files = member->files;
                readConsent();
            });
}

void ParticipantIngest::fetchSmallFile(const QString &basename, std::function<void(std::optional<QString>)> onText)
{
    const auto file = newestNamed(m_files, basename);
    if (!file) {
        onText(std::nullopt);
        return;
    }
    m_session->call<oh::DownloadResult>(
            [this, file](const oh::Client &client, const QString &token) {
                return client.downloadAll(token, *file, kMaxSmallFileBytes, this);
            },
            [this, onText = std::move(onText)](Result<oh::DownloadResult> result) {
                if (!result) {
                    fail(errors::fromOpenHumans(result.error()));
                    return;
                }
                m_report.ohBytesDown += result->body.size();
                onText(QString::fromUtf8(result->body));
            });
}

void ParticipantIngest::readConsent()
{
    fetchSmallFile(records::consentFileName(m_participant.memberId), [this](const std::optional<QString> &text) {
        // No consent file at all: a participant of the old system, which had
        // only the OpenAPS Data Commons (the ETL reads it the same way).
        const auto consent = text ? records::parseConsent(*text) : std::optional(records::Consent::OpenAps);
        if (!consent) {
            skip(errors::kNoConsent,
                 QStringLiteral("The sharing choice in your Open Humans account could not "
                                "be read, so nothing is copied. Please choose again above."));
            return;
        }
        if (*consent == records::Consent::None) {
            skip(errors::kConsentNone,
                 QStringLiteral("You chose not to share with anyone, so nothing is "
                                "copied."));
            return;
        }
        m_consent = records::consentValue(*consent);
        readUrl();
    });
}

void ParticipantIngest::readUrl()
{
    fetchSmallFile(records::urlFileName(m_participant.memberId), [this](const std::optional<QString> &text) {
        if (!text || text->trimmed().isEmpty()) {
            skip(errors::kNoUrl,
                 QStringLiteral("There is no Nightscout address in your Open Humans "
                                "account. Please save one above."));
            return;
        }
        auto access = records::parseUrlFile(*text);
        if (!access) {
            fail(Error { QString::fromLatin1(errors::kBadUrl), access.error().message });
            return;
        }
        startTypes(access->site, access->credentials);
    });
}

void ParticipantIngest::startTypes(const ns::SiteUrl &site, const ns::Credentials &credentials)
{
    auto cursors = m_store->cursors(m_participant.id);
    if (!cursors) {
        fail(errors::internal(cursors.error()));
        return;
    }
    m_cursors = *cursors;
    m_nightscout = new ns::Client(m_nam, site, credentials, m_settings.nightscout, this);
    ns::ClientOptions small = m_settings.nightscout;
    small.pageSize = std::min(small.pageSize, std::max(1, m_settings.devicestatusPageSize));
    m_devicestatus = new ns::Client(m_nam, site, credentials, small, this);
    m_scrubber = std::make_unique<RecordScrubber>(m_settings.secretKey, m_participant.memberId, m_consent);
    m_pendingTypes = QList<records::DataType>(std::begin(records::kAllTypes), std::end(records::kAllTypes));
    nextType();
}

void ParticipantIngest::nextType()
{
    if (m_pendingTypes.isEmpty()) {
        if (m_typeError)
            fail(*m_typeError);
        else
            complete();
        return;
    }
    const records::DataType type = m_pendingTypes.takeFirst();
    TypeIngest::Inputs inputs { type == records::DataType::DeviceStatus ? m_devicestatus : m_nightscout,
                                m_gate,
                                m_session,
                                &m_files,
                                m_store,
                                m_scrubber.get(),
                                m_participant.id,
                                m_participant.memberId,
                                type,
                                m_upToMs,
                                qint64(m_settings.overlap.count()),
                                m_settings.clock };
    auto *job = new TypeIngest(std::move(inputs), m_cursors.value(type), this);
    connect(job, &TypeIngest::finished, this, [this, job, type] {
        job->deleteLater();
        m_report.types.insert(type, job->stats());
        if (const auto &error = job->error()) {
            // A type whose data cannot be read must not hold back the others;
            // anything else (site down, credentials, Open Humans) ends the run.
            if (error->code != QLatin1String(errors::kBadData)) {
                fail(*error);
                return;
            }
            if (!m_typeError)
                m_typeError = error;
        }
        nextType();
    });
    job->start();
}

void ParticipantIngest::skip(const char *code, const QString &message)
{
    m_report.outcome = RunRecord::Outcome::Skipped;
    m_report.errorCode = QString::fromLatin1(code);
    m_report.errorMessage = message;
    complete();
}

void ParticipantIngest::fail(const Error &error)
{
    m_report.outcome = RunRecord::Outcome::Failed;
    m_report.errorCode = error.code;
    m_report.errorMessage = error.message;
    if (error.code == QLatin1String(errors::kOhRevoked) && m_participant.id != 0 && !m_participant.deauthorized) {
        if (auto s = m_store->markDeauthorized(m_participant.id, m_settings.clock()); !s)
            qCWarning(lcIngest, "participant %lld: %s", m_participant.id, qPrintable(s.error().message));
    }
    complete();
}

void ParticipantIngest::complete()
{
    if (!markFinished())
        return;
    m_report.durationMs = m_elapsed.elapsed();
    RunRecord run;
    run.outcome = m_report.outcome;
    run.errorCode = m_report.errorCode;
    run.errorMessage = m_report.errorMessage;
    for (auto it = m_report.types.cbegin(); it != m_report.types.cend(); ++it)
        run.moved.insert(it.key(), it->added);
    run.at = m_settings.clock();
    run.holder = m_settings.holder;
    if (auto s = m_store->recordRun(m_report.participantId, run); !s)
        qCWarning(lcIngest, "participant %lld: the run could not be recorded: %s", m_report.participantId,
                  qPrintable(s.error().message));
    qCInfo(lcIngest, "%s", qPrintable(m_report.summaryLine()));
    emit finished();
}

} // namespace openaps::ingest
