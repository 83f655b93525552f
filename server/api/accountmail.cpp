#include "api/accountmail.h"

#include "crypto/secrets.h"

namespace openaps::api {

EmailCodes::EmailCodes(const QByteArray &secretKey)
    : m_key(crypto::deriveKey(secretKey, QByteArrayLiteral("api-email-code")))
{ }

QString EmailCodes::generate()
{
    // Rejection sampling keeps every code equally likely.
    constexpr quint32 range = 1000000;
    constexpr quint32 limit = 0xffffffffu - 0xffffffffu % range;
    for (;;) {
        const QByteArray bytes = crypto::randomBytes(4);
        quint32 n = 0;
        for (const char b : bytes)
            n = (n << 8) | quint8(b);
        if (n < limit)
            return QStringLiteral("%1").arg(n % range, 6, 10, QLatin1Char('0'));
    }
}

bool EmailCodes::looksLikeCode(const QString &code)
{
    if (code.size() != 6)
        return false;
    for (const QChar c : code) {
        if (c < QLatin1Char('0') || c > QLatin1Char('9'))
            return false;
    }
    return true;
}

QString EmailCodes::hash(qint64 researcherId, CodePurpose purpose, const QString &code) const
{
    const QByteArray data = QByteArray::number(researcherId) + (purpose == CodePurpose::Verify ? ":verify:" : ":reset:")
            + code.toLatin1();
    return crypto::keyedHash(m_key, data, 32);
}

mail::Message verificationMail(const Account &account, const QString &code, int validMinutes)
{
    return { account.email, QStringLiteral("Your OpenAPS Data Commons code: %1").arg(code),
             QStringLiteral("Hello %1,\n\n"
                            "thank you for applying for access to the OpenAPS Data Commons.\n"
                            "To confirm your email address, enter this code in the downloader:\n\n"
                            "    %2\n\n"
                            "The code is valid for %3 minutes. After you confirm, an administrator\n"
                            "reviews your application; we will email you when it is approved.\n\n"
                            "If you did not apply, you can ignore this email.\n")
                     .arg(account.name, code)
                     .arg(validMinutes) };
}

mail::Message resetMail(const Account &account, const QString &code, int validMinutes)
{
    return { account.email, QStringLiteral("Your OpenAPS Data Commons password reset code"),
             QStringLiteral("Hello %1,\n\n"
                            "someone asked to reset the password of your OpenAPS Data Commons\n"
                            "researcher account. To choose a new password, enter this code:\n\n"
                            "    %2\n\n"
                            "The code is valid for %3 minutes. Resetting the password signs you\n"
                            "out everywhere. If you did not ask for this, ignore this email: your\n"
                            "password stays as it is.\n")
                     .arg(account.name, code)
                     .arg(validMinutes) };
}

mail::Message approvedMail(const Account &account)
{
    return { account.email, QStringLiteral("Your OpenAPS Data Commons access is approved"),
             QStringLiteral("Hello %1,\n\n"
                            "your application for access to the OpenAPS Data Commons has been\n"
                            "approved. You can now sign in with the downloader using this email\n"
                            "address and the password you chose.\n")
                     .arg(account.name) };
}

mail::Message rejectedMail(const Account &account, const QString &reason)
{
    return { account.email, QStringLiteral("Your application to the OpenAPS Data Commons"),
             QStringLiteral("Hello %1,\n\n"
                            "thank you for applying for access to the OpenAPS Data Commons. An\n"
                            "administrator has reviewed your application and could not approve it,\n"
                            "for this reason:\n\n"
                            "%2\n\n"
                            "If you can address it, you are welcome to reply to this email or to\n"
                            "apply again.\n")
                     .arg(account.name, reason) };
}

mail::Message alreadyRegisteredMail(const Account &account)
{
    return { account.email, QStringLiteral("Someone applied with your email address"),
             QStringLiteral("Hello %1,\n\n"
                            "someone applied for access to the OpenAPS Data Commons with this email\n"
                            "address, which already has an account. Nothing was changed. If it was\n"
                            "you, sign in with your password, or reset it in the downloader if you\n"
                            "have forgotten it. If it was not you, you can ignore this email.\n")
                     .arg(account.name) };
}

mail::Message lockedMail(const Account &account, bool codes)
{
    return { account.email, QStringLiteral("Too many wrong tries on your OpenAPS Data Commons account"),
             QStringLiteral("Hello %1,\n\n"
                            "there were too many %2 for your researcher account within an hour,\n"
                            "so %3 is locked for a while (an hour at first, longer if it goes on).\n"
                            "If this was not you, someone may be trying to get into your account:\n"
                            "your password and data are safe, and nothing else needs doing now.\n"
                            "If it keeps happening, please tell the administrators.\n")
                     .arg(account.name, codes ? QStringLiteral("wrong codes") : QStringLiteral("wrong passwords"),
                          codes ? QStringLiteral("entering codes") : QStringLiteral("signing in")) };
}

} // namespace openaps::api
