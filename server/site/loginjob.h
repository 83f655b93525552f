#pragma once

#include "core/result.h"
#include "openhumans/client.h"
#include "records/filenames.h"

#include <QObject>

#include <optional>

namespace openaps::site {

using records::consentFileName;
using records::urlFileName;

// The newest of `files` whose name ends with `suffix`; `count` gets how many there are.
std::optional<oh::MemberFile> newestFile(const QList<oh::MemberFile> &files, const QString &suffix, int *count);

// The server side of "Log in with Open Humans" after the browser came back
// with a code: exchange it for tokens, look the member up, and read what the
// member's account already holds (how many URL files, the saved host and
// consent), so the page can show the truth even for old-system participants.
class LoginJob final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LoginJob)

public:
    struct Outcome
    {
        QString memberId;
        oh::TokenPair tokens;
        int urlFileCount = 0;
        // From the newest URL / consent file: nullopt when it could not be
        // read (keep what is stored), empty when the account has no such file.
        std::optional<QString> nightscoutUrl; // without credentials
        std::optional<QString> consent;
        std::optional<bool> credentialSaved; // the URL file carries a token or API secret
    };

    LoginJob(const oh::Client &client, const QString &code, QObject *parent);

    void start();
    const Result<Outcome> &result() const { return m_result; }

signals:
    void finished();

private:
    void onTokens(const Result<oh::TokenPair> &tokens);
    void onMember(const Result<oh::Member> &member);
    void readUrlFile(const oh::MemberFile &file);
    void readConsentFile(const std::optional<oh::MemberFile> &file);
    void finish(Result<Outcome> result);

    oh::Client m_client;
    QString m_code;
    Outcome m_outcome;
    std::optional<oh::MemberFile> m_consentFile;
    Result<Outcome> m_result { makeError("pending", QStringLiteral("The login has not finished.")) };
};

} // namespace openaps::site
