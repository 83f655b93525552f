#pragma once

#include "openhumans/deletejob.h"
#include "openhumans/downloadjob.h"
#include "openhumans/memberjob.h"
#include "openhumans/projectmembersjob.h"
#include "openhumans/tokenjob.h"
#include "openhumans/types.h"
#include "openhumans/uploadjob.h"

class QIODevice;

namespace openaps {
class Config;
}

namespace openaps::oh {

// The Open Humans API for one project (README, "Open Humans: client and stand-in"). Cheap to
// copy; every operation returns a job: connect to finished(), then start().
// Jobs are children of `parent`, or of the network manager when none is
// given. Access tokens travel as the access_token query parameter and never
// appear in logs or error messages.
class Client
{
public:
    Client(QNetworkAccessManager *nam, Settings settings, Clock clock = systemClock());

    // Settings from OH_BASE_URL, OH_CLIENT_ID and OH_CLIENT_SECRET.
    static Settings settingsFromConfig(const Config &config, const QUrl &redirectUri);

    const Settings &settings() const { return m_context.settings; }

    // Where to send the participant's browser to log in; `state` comes back
    // unchanged with the code and must be checked by the caller.
    QUrl authorizeUrl(const QString &state) const;

    TokenJob *exchangeCode(const QString &code, QObject *parent = nullptr) const;
    // Refresh tokens rotate: store the pair from the result before using it.
    TokenJob *refresh(const QString &refreshToken, QObject *parent = nullptr) const;

    // The same project acting for one member with the project's master
    // access token (pass the master token where a call takes a token).
    Client forMember(const QString &projectMemberId) const;
    // Every project member (the master token).
    ProjectMembersJob *projectMembers(const QString &masterToken, QObject *parent = nullptr) const;

    MemberJob *exchangeMember(const QString &accessToken, QObject *parent = nullptr) const;

    // Streams the file to `device` (kept open by the caller) ...
    DownloadJob *download(const QString &accessToken, const MemberFile &file, QIODevice *device,
                          QObject *parent = nullptr) const;
    // ... or to a handler called for each chunk ...
    DownloadJob *download(const QString &accessToken, const MemberFile &file, DownloadJob::ChunkHandler handler,
                          QObject *parent = nullptr) const;
    // ... or keeps it whole in DownloadResult::body (small text files only).
    DownloadJob *downloadAll(const QString &accessToken, const MemberFile &file, qint64 maxBytes = 1024 * 1024,
                             QObject *parent = nullptr) const;

    UploadJob *upload(const QString &accessToken, const UploadRequest &upload, QObject *parent = nullptr) const;

    DeleteJob *deleteFiles(const QString &accessToken, const DeleteTarget &target, QObject *parent = nullptr) const;

private:
    QObject *owner(QObject *parent) const;

    ClientContext m_context;
};

} // namespace openaps::oh
