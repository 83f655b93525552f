#include "etl/participantetl.h"

#include "etl/analytics.h"
#include "etl/derivedtables.h"
#include "etl/etllog.h"
#include "jobs/ohaccess.h"
#include "privacy/participantdata.h"
#include "records/consent.h"
#include "records/datatype.h"
#include "records/filenames.h"

#include <QDir>
#include <QThreadPool>

#include <algorithm>

namespace openaps::etl {

namespace {

RemoteFile remoteFile(const oh::MemberFile &f)
{
    return RemoteFile { f.id, f.basename, f.size, f.created };
}

} // namespace

ParticipantEtl::ParticipantEtl(Context context, qint64 participantId, QObject *parent)
    : Step(parent),
      m_context(std::move(context)),
      m_participantId(participantId),
      m_state(m_context.database)
{ }

ParticipantEtl::~ParticipantEtl() = default;

void ParticipantEtl::start()
{
    auto member = m_state.memberId(m_participantId);
    if (!member) {
        if (privacy::isErased(member.error()))
            return stopErased(member.error().message);
        return finish(member.error().message);
    }
    m_userId = m_context.keys.pseudonym(*member);
    m_guard = privacy::WriteGuard::forMember(m_context.keys, *member, m_participantId);
    // An erased member who logged in again shares nothing until they confirm
    // on the site (which lifts the tombstone).
    auto tombstoned = privacy::isTombstoned(m_context.database, m_context.keys, *member);
    if (!tombstoned)
        return finish(tombstoned.error().message);
    if (*tombstoned)
        return stopErased(QStringLiteral("erased; waits for the member to confirm sharing again"));
    m_access = new jobs::OhAccess(m_context.session, m_participantId, this);
    m_access->call<oh::Member>(
            [this](const oh::Client &client, const QString &token) {
                // The files are downloaded with the token (and member) that listed them.
                m_client = client;
                m_token = token;
                return client.exchangeMember(token, this);
            },
            [this](Result<oh::Member> member) {
                if (!member)
                    return finish(member.error().message);
                onListed(*member);
            });
}

void ParticipantEtl::onListed(const oh::Member &member)
{
    std::optional<oh::MemberFile> consentFile;
    for (const oh::MemberFile &f : member.files) {
        const records::FileKind kind = records::classifyFile(f.basename, f.metadata.tags);
        if (kind.kind == records::FileKind::Consent && (!consentFile || f.created > consentFile->created))
            consentFile = f;
        else if (kind.kind == records::FileKind::Data)
            m_pending.append({ f, kind.dataType });
    }
    if (consentFile)
        return readConsent(*consentFile);
    // Members of the old system never wrote a consent file; they joined the
    // OpenAPS Data Commons project, which is consent to that commons.
    applyConsent(QStringLiteral("openaps"));
}

void ParticipantEtl::readConsent(const oh::MemberFile &file)
{
    oh::DownloadJob *job = m_client->downloadAll(m_token, file, 4096, this);
    connect(job, &oh::Job::finished, this, [this, job] {
        const Result<oh::DownloadResult> &result = job->result();
        if (!result)
            return finish(QStringLiteral("The consent file could not be read: %1").arg(result.error().message));
        const auto consent = records::parseConsent(QString::fromUtf8(result->body));
        if (!consent)
            return finish(QStringLiteral("The consent file holds no known consent; nothing was changed."));
        applyConsent(records::consentValue(*consent));
    });
    job->start();
}

void ParticipantEtl::applyConsent(const QString &consent)
{
    m_summary.consent = consent;
    const auto entity = privacy::sourceEntityFor(*records::parseConsent(consent));
    const auto previous = m_state.consent(m_participantId);
    if (!previous)
        return finish(previous.error().message);
    const qint64 userId = m_userId;
    const qint64 participantId = m_participantId;
    const db::Database database = m_context.database;
    if (!entity) {
        onWorker(
                [database, userId, participantId]() -> Status {
                    auto removed = privacy::removeParticipantData(database, userId, participantId);
                    if (!removed)
                        return removed.error();
                    qCInfo(lcEtl, "participant %lld: consent none, %lld rows removed", participantId, *removed);
                    return {};
                },
                [this](const Status &s) {
                    m_summary.removed = s.ok();
                    finish(s ? QString() : s.error().message);
                });
        return;
    }
    m_sourceEntity = *entity;

    // Only what is new or changed since the last pass, profiles first (their
    // time zones give the other records their UTC offsets), oldest first.
    QSet<QString> listed;
    for (const auto &p : std::as_const(m_pending))
        listed.insert(p.first.id);
    if (auto s = m_state.forgetFilesExcept(m_participantId, listed); !s)
        return finish(s.error().message);
    auto loaded = m_state.files(m_participantId);
    if (!loaded)
        return finish(loaded.error().message);
    m_pending.erase(std::remove_if(m_pending.begin(), m_pending.end(),
                                   [&loaded](const QPair<oh::MemberFile, records::DataType> &p) {
                                       const auto it = loaded->constFind(p.first.id);
                                       return !EtlState::needsLoad(remoteFile(p.first),
                                                                   it == loaded->constEnd() ? nullptr : &*it);
                                   }),
                    m_pending.end());
    std::stable_sort(m_pending.begin(), m_pending.end(), [](const auto &a, const auto &b) {
        if ((a.second == records::DataType::Profile) != (b.second == records::DataType::Profile))
            return a.second == records::DataType::Profile;
        return a.first.created < b.first.created;
    });

    if (previous->has_value() && **previous != consent && **previous != QLatin1String("none")) {
        m_summary.consentChanged = true;
        const int source = *entity;
        const privacy::WriteGuard guard = m_guard;
        onWorker(
                [database, userId, participantId, source, guard]() -> Status {
                    auto changed = privacy::restampSourceEntity(database, userId, source, guard);
                    if (!changed)
                        return changed.error();
                    qCInfo(lcEtl, "participant %lld: consent changed, %lld rows restamped", participantId, *changed);
                    return {};
                },
                [this](const Status &s) {
                    if (!s && privacy::isErased(s.error()))
                        return stopErased(s.error().message);
                    if (!s)
                        return finish(s.error().message);
                    loadNextFile();
                });
        return;
    }
    loadNextFile();
}

void ParticipantEtl::loadNextFile()
{
    if (m_pending.isEmpty()) {
        if (m_summary.filesLoaded > 0 || m_summary.consentChanged)
            return refreshAnalytics();
        // Data loaded before the derived datasets existed gets them once.
        const auto missing = derivedMissing(m_context.database, m_userId);
        if (!missing)
            return finish(missing.error().message);
        return *missing ? refreshAnalytics() : finish();
    }
    const auto [file, type] = m_pending.takeFirst();
    QDir().mkpath(m_context.tempDir);
    m_download = std::make_unique<QTemporaryFile>(QDir(m_context.tempDir).filePath(QStringLiteral("etl-XXXXXX")));
    if (!m_download->open())
        return finish(QStringLiteral("No temporary file for downloads in %1.").arg(m_context.tempDir));
    oh::DownloadJob *job = m_client->download(m_token, file, m_download.get(), this);
    connect(job, &oh::Job::finished, this,
            [this, job, file = file, type = type] { onDownloaded(file, type, job->result()); });
    job->start();
}

void ParticipantEtl::onDownloaded(const oh::MemberFile &file, records::DataType type,
                                  const Result<oh::DownloadResult> &result)
{
    const RemoteFile remote = remoteFile(file);
    if (!result) {
        ++m_summary.filesFailed;
        m_summary.errors << QStringLiteral("%1: %2").arg(file.basename, result.error().message);
        if (auto s = m_state.recordFile(m_participantId, remote, type, nullptr, result.error().message); !s)
            m_summary.errors << s.error().message;
        m_download.reset();
        return loadNextFile();
    }
    m_download->flush();
    const QString path = m_download->fileName();
    const db::Database database = m_context.database;
    const LoadTarget target { m_userId, m_sourceEntity,
                              QStringLiteral("participant %1 file %2").arg(m_participantId).arg(file.basename), m_guard,
                              m_context.keys };
    const qint64 participantId = m_participantId;
    auto report = std::make_shared<FileReport>();
    const std::function<void()> hook = m_context.beforeBatchCommit;
    onWorker(
            [database, path, type, target, participantId, remote, report, hook]() -> Status {
                EtlState state(database);
                FileLoader loader(database);
                loader.setBeforeCommit(hook);
                auto loaded = loader.loadFile(path, type, target);
                if (!loaded && privacy::isErased(loaded.error()))
                    return loaded.error(); // nothing to record: the participant is gone
                if (!loaded) {
                    if (auto s = state.recordFile(participantId, remote, type, nullptr, loaded.error().message); !s)
                        return s;
                    return loaded.error();
                }
                *report = *loaded;
                // Before the file counts as loaded: a crash in between loads it again.
                if (auto s = noteLoadedFile(database, target.userId, remote.id, *loaded, target.guard); !s)
                    return s;
                return state.recordFile(participantId, remote, type, &*loaded, {});
            },
            [this, report, file](const Status &s) {
                m_download.reset();
                if (!s && privacy::isErased(s.error()))
                    return stopErased(s.error().message);
                if (!s || !report->readError.isEmpty()) {
                    ++m_summary.filesFailed;
                    m_summary.errors << QStringLiteral("%1: %2").arg(file.basename,
                                                                     s ? report->readError : s.error().message);
                } else {
                    ++m_summary.filesLoaded;
                }
                m_summary.rows += *report;
                loadNextFile();
            });
}

void ParticipantEtl::refreshAnalytics()
{
    const db::Database database = m_context.database;
    const qint64 userId = m_userId;
    const privacy::WriteGuard guard = m_guard;
    onWorker([database, userId, guard] { return refreshParticipantAnalytics(database, userId, guard); },
             [this](const Status &s) {
                 if (!s && privacy::isErased(s.error()))
                     return stopErased(s.error().message);
                 finish(s ? QString() : s.error().message);
             });
}

void ParticipantEtl::stopErased(const QString &why)
{
    if (!markFinished())
        return;
    m_pending.clear();
    m_summary.skipped = true;
    qCInfo(lcEtl, "participant %lld: skipped (%s)", m_participantId, qPrintable(why));
    m_result = m_summary;
    emit finished();
}

void ParticipantEtl::finish(const QString &error)
{
    if (!markFinished())
        return;
    if (!error.isEmpty())
        m_summary.errors << error;
    const QString problems = m_summary.errors.join(QLatin1String("; "));
    if (auto s = m_state.recordCycle(m_participantId, error.isEmpty() ? m_summary.consent : QString(), problems); !s)
        qCWarning(lcEtl, "participant %lld: %s", m_participantId, qPrintable(s.error().message));
    if (!error.isEmpty()) {
        qCWarning(lcEtl, "participant %lld: %s", m_participantId, qPrintable(error));
        m_result = makeError("etl", error);
    } else {
        qCInfo(lcEtl, "participant %lld: %d files loaded (%lld new, %lld updated, %lld duplicate, %lld bad), %d failed",
               m_participantId, m_summary.filesLoaded, m_summary.rows.rows.inserted, m_summary.rows.rows.updated,
               m_summary.rows.rows.duplicates, m_summary.rows.badLines, m_summary.filesFailed);
        m_result = m_summary;
    }
    emit finished();
}

void ParticipantEtl::onWorker(std::function<Status()> work, std::function<void(Status)> then)
{
    const db::Database database = m_context.database;
    // The pool's threads come and go: each task closes the connection it
    // opened. This object outlives the task (it waits for `then`).
    m_context.pool->start([this, database, work = std::move(work), then = std::move(then)] {
        Status status = work();
        database.closeConnection();
        QMetaObject::invokeMethod(
                this, [then, status] { then(status); }, Qt::QueuedConnection);
    });
}

} // namespace openaps::etl
