#pragma once

#include "api/researcherstore.h"
#include "mail/smtpsend.h"

#include <QByteArray>
#include <QString>

namespace openaps::api {

// Six-digit email codes: random, compared through a keyed hash (key =
// deriveKey(OPENAPS_SECRET_KEY, "api-email-code")) bound to the researcher
// and the purpose, so a code for one cannot serve another.
class EmailCodes
{
public:
    explicit EmailCodes(const QByteArray &secretKey);

    static QString generate();
    // True for exactly six ASCII digits.
    static bool looksLikeCode(const QString &code);
    QString hash(qint64 researcherId, CodePurpose purpose, const QString &code) const;

private:
    QByteArray m_key;
};

// The emails the API sends, in plain words.
mail::Message verificationMail(const Account &account, const QString &code, int validMinutes);
mail::Message resetMail(const Account &account, const QString &code, int validMinutes);
mail::Message approvedMail(const Account &account);
// The administrator's reason, word for word.
mail::Message rejectedMail(const Account &account, const QString &reason);
// Someone applied with the address of an existing account (no code in it).
mail::Message alreadyRegisteredMail(const Account &account);
// Too many wrong codes (or passwords) locked the account for a while.
mail::Message lockedMail(const Account &account, bool codes);

} // namespace openaps::api
