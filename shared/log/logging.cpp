#include "log/logging.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QRegularExpression>

#include <cstdio>
#include <mutex>

namespace openaps::log {

namespace {

LogFormat g_format = LogFormat::Text;
std::mutex g_writeMutex;

const char *levelName(QtMsgType type)
{
    switch (type) {
    case QtDebugMsg:
        return "debug";
    case QtInfoMsg:
        return "info";
    case QtWarningMsg:
        return "warning";
    case QtCriticalMsg:
        return "error";
    case QtFatalMsg:
        return "fatal";
    }
    return "info";
}

void messageHandler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    const QString line = formatLine(g_format, type, context.category ? context.category : "default", message,
                                    QDateTime::currentDateTimeUtc());
    const QByteArray bytes = line.toUtf8() + '\n';
    {
        std::lock_guard<std::mutex> lock(g_writeMutex);
        fwrite(bytes.constData(), 1, size_t(bytes.size()), stderr);
        fflush(stderr);
    }
    if (type == QtFatalMsg)
        abort();
}

struct Rule
{
    QRegularExpression pattern;
    QString replacement;
};

const QList<Rule> &rules()
{
    const auto ci = QRegularExpression::CaseInsensitiveOption;
    // Public suffixes that Nightscout sites and e-mail hosts use; file names
    // such as entries.json or config.ini never end in one of these.
    const QString tld = QStringLiteral(
            "(?:com|net|org|info|biz|io|co|me|app|dev|cloud|site|online|xyz|eu|de|uk|nl|fr|es|it|"
            "ch|at|be|se|no|dk|fi|pl|cz|ca|us|au|nz|jp|br|ru|in)");
    // Names whose value is a secret wherever they appear as key=value or "key": value.
    const QString secretName = QStringLiteral("[a-z0-9_-]*(?:token|secret|password|passwd|apikey|api_key)[a-z0-9_-]*");
    static const QList<Rule> list {
        // Any URL: a Nightscout URL identifies a participant and may hold a token.
        { QRegularExpression(QStringLiteral(R"(\b[a-z][a-z0-9+.-]*://[^\s"'<>]+)"), ci), QStringLiteral("<url>") },
        { QRegularExpression(QStringLiteral(R"([a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b)"), ci),
          QStringLiteral("<email>") },
        // Host names without a scheme (what participants often paste), with port and path.
        { QRegularExpression(QStringLiteral(R"(\b(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+)") + tld
                                     + QStringLiteral(R"(\b(?::\d+)?(?:/[^\s"'<>]*)?)"),
                             ci),
          QStringLiteral("<host>") },
        // Header style: "api-secret: abc", "Authorization: Bearer abc".
        { QRegularExpression(
                  QStringLiteral(
                          R"(\b(api-secret|x-api-secret|authorization|proxy-authorization|cookie|set-cookie)\s*:\s*(?:(?:bearer|basic|token)\s+)?[^\s,;"]+)"),
                  ci),
          QStringLiteral("\\1: ****") },
        // A bearer token is long or has digits; "missing bearer token" stays readable.
        { QRegularExpression(
                  QStringLiteral(R"(\bbearer\s+(?=[a-z0-9._~+/=-]*[0-9]|[a-z0-9._~+/=-]{16})[a-z0-9._~+/=-]+)"), ci),
          QStringLiteral("Bearer ****") },
        // JSON style: "access_token": "abc" (escaped quotes included), "token": 123.
        { QRegularExpression(QStringLiteral("\"(") + secretName
                                     + QStringLiteral(R"xx()"\s*:\s*(?:"(?:[^"\\]|\\.)*"|(?!null\b)[^\s,}\]]+))xx"),
                             ci),
          QStringLiteral("\"\\1\":\"****\"") },
        // Query or form style: token=abc, client_secret=abc.
        { QRegularExpression(
                  QStringLiteral("\\b(") + secretName + QStringLiteral(R"(|pwd|sig|signature)=[^\s&"',;<>]+)"), ci),
          QStringLiteral("\\1=****") },
        // The OAuth authorization code in a callback query; "code=1" stays readable.
        { QRegularExpression(QStringLiteral(R"(\bcode=[a-z0-9._~-]{8,})"), ci), QStringLiteral("code=****") },
        // Prose style: "password: hunter2", "access token: abc".
        { QRegularExpression(
                  QStringLiteral(
                          R"(\b((?:access|refresh|api|client)?[ _-]?(?:token|secret|password|passwd))\s*:\s*[^\s,;"']+)"),
                  ci),
          QStringLiteral("\\1: ****") },
    };
    return list;
}

} // namespace

QString redact(const QString &text)
{
    QString out = text;
    for (const Rule &rule : rules())
        out.replace(rule.pattern, rule.replacement);
    return out;
}

QString formatLine(LogFormat format, QtMsgType type, const char *category, const QString &message, const QDateTime &utc)
{
    const QString time = utc.toUTC().toString(Qt::ISODateWithMs);
    const QString text = redact(message);
    if (format == LogFormat::Json) {
        const QJsonObject line {
            { QStringLiteral("time"), time },
            { QStringLiteral("level"), QString::fromLatin1(levelName(type)) },
            { QStringLiteral("category"), QString::fromUtf8(category) },
            { QStringLiteral("message"), text },
        };
        return QString::fromUtf8(QJsonDocument(line).toJson(QJsonDocument::Compact));
    }
    // One message, one line: a newline in a message must not forge another entry.
    QString oneLine = text;
    oneLine.replace(QLatin1Char('\n'), QLatin1String("\\n")).replace(QLatin1Char('\r'), QLatin1String("\\r"));
    return time + QLatin1Char(' ') + QString::fromLatin1(levelName(type)).leftJustified(8) + QString::fromUtf8(category)
            + QLatin1String(": ") + oneLine;
}

void install(LogFormat format)
{
    g_format = format;
    // Default level info for our categories; debug on request via QT_LOGGING_RULES.
    QLoggingCategory::setFilterRules(QStringLiteral("openaps.*.debug=false\nqt.*.debug=false"));
    qInstallMessageHandler(messageHandler);
}

} // namespace openaps::log
