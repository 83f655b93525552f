#include "mail/smtpsend.h"

#include "crypto/secrets.h"

#include <QLocale>

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>

namespace openaps::mail {

namespace {

// curl_global_init is not thread-safe on every platform: once per process.
void initCurl()
{
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// RFC 2047 encoded-word for a non-ASCII subject.
QByteArray encodeHeader(const QString &text)
{
    QByteArray utf8 = text.toUtf8();
    const bool ascii = std::all_of(utf8.cbegin(), utf8.cend(), [](char c) { return c >= 0x20 && c < 0x7f; });
    if (ascii)
        return utf8;
    return "=?UTF-8?B?" + utf8.toBase64() + "?=";
}

// A header value must never carry a line break (header injection).
QByteArray oneLine(const QString &text)
{
    QString s = text;
    s.replace(QLatin1Char('\r'), QLatin1Char(' ')).replace(QLatin1Char('\n'), QLatin1Char(' '));
    return s.toUtf8();
}

struct Upload
{
    QByteArray data;
    qsizetype offset = 0;
};

size_t readPayload(char *buffer, size_t size, size_t count, void *user)
{
    auto *upload = static_cast<Upload *>(user);
    const size_t room = size * count;
    const size_t left = size_t(upload->data.size() - upload->offset);
    const size_t n = std::min(room, left);
    std::memcpy(buffer, upload->data.constData() + upload->offset, n);
    upload->offset += qsizetype(n);
    return n;
}

Error sendError(const QString &detail)
{
    return makeError("mail-unavailable", QStringLiteral("The email could not be sent: %1.").arg(detail));
}

} // namespace

QByteArray formatMessage(const QString &from, const Message &message, const QDateTime &date)
{
    const QString domain = from.section(QLatin1Char('@'), 1);
    QByteArray text;
    text += "Date: " + QLocale::c().toString(date.toUTC(), QStringLiteral("ddd, dd MMM yyyy hh:mm:ss")).toLatin1()
            + " +0000\r\n";
    text += "From: <" + oneLine(from) + ">\r\n";
    text += "To: <" + oneLine(message.to) + ">\r\n";
    text += "Subject: " + encodeHeader(QString::fromUtf8(oneLine(message.subject))) + "\r\n";
    text += "Message-ID: <" + crypto::randomToken(18).toLatin1() + '@' + oneLine(domain) + ">\r\n";
    text += "MIME-Version: 1.0\r\n";
    text += "Content-Type: text/plain; charset=utf-8\r\n";
    text += "Content-Transfer-Encoding: 8bit\r\n\r\n";
    QString body = message.body;
    body.replace(QLatin1String("\r\n"), QLatin1String("\n"));
    text += body.toUtf8().replace("\n", "\r\n");
    if (!text.endsWith("\r\n"))
        text += "\r\n";
    return text;
}

Status sendBlocking(const SmtpSettings &settings, const Message &message)
{
    if (!settings.isConfigured())
        return sendError(QStringLiteral("no mail server is configured (OPENAPS_SMTP_URL)"));
    initCurl();
    std::unique_ptr<CURL, void (*)(CURL *)> curl(curl_easy_init(), curl_easy_cleanup);
    if (!curl)
        return sendError(QStringLiteral("libcurl could not start"));
    CURL *c = curl.get();
    const QByteArray url = settings.url.toString(QUrl::FullyEncoded).toUtf8();
    const QByteArray from = '<' + settings.from.toUtf8() + '>';
    const QByteArray to = '<' + message.to.toUtf8() + '>';
    const QByteArray user = settings.user.toUtf8();
    const QByteArray password = settings.password.toUtf8();
    Upload upload { formatMessage(settings.from, message, QDateTime::currentDateTimeUtc()), 0 };
    curl_slist *recipients = curl_slist_append(nullptr, to.constData());
    std::unique_ptr<curl_slist, void (*)(curl_slist *)> recipientList(recipients, curl_slist_free_all);

    curl_easy_setopt(c, CURLOPT_URL, url.constData());
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L); // worker threads must not get SIGALRM
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, long(std::min<qint64>(10, settings.timeout.count())));
    curl_easy_setopt(c, CURLOPT_TIMEOUT, long(settings.timeout.count()));
    // A password never goes out in cleartext: with a login, TLS is required
    // even for smtp:// (a stripped STARTTLS offer then fails the send).
    const bool needTls = settings.requireTls || !user.isEmpty();
    curl_easy_setopt(c, CURLOPT_USE_SSL, long(needTls ? CURLUSESSL_ALL : CURLUSESSL_TRY));
    if (!user.isEmpty()) {
        curl_easy_setopt(c, CURLOPT_USERNAME, user.constData());
        curl_easy_setopt(c, CURLOPT_PASSWORD, password.constData());
    }
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.constData());
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, recipients);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, curl_off_t(upload.data.size()));
    curl_easy_setopt(c, CURLOPT_READFUNCTION, readPayload);
    curl_easy_setopt(c, CURLOPT_READDATA, &upload);
    const CURLcode result = curl_easy_perform(c);
    if (result != CURLE_OK) {
        long reply = 0;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply);
        // curl_easy_strerror names the failure class only (no addresses).
        return sendError(
                QStringLiteral("%1 (SMTP reply %2)").arg(QString::fromLatin1(curl_easy_strerror(result))).arg(reply));
    }
    return {};
}

} // namespace openaps::mail
