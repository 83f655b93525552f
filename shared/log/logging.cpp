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
    case QtDebugMsg: return "debug";
    case QtInfoMsg: return "info";
    case QtWarningMsg: return "warning";
    case QtCriticalMsg: return "error";
    case QtFatalMsg: return "fatal";
    }
    return "info";
}

void messageHandler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    const QString line = formatLine(g_format, type, context.category ? context.category : "default",
                                    message, QDateTime::currentDateTimeUtc());
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
    static const QList<Rule> list {
        // Any URL: a Nightscout URL identifies a participant and may hold a token.
        { QRegularExpression(QStringLiteral(R"(\b[a-z][a-z0-9+.-]*://[^\s"'<>]+)"), ci),
          QStringLiteral("<url>") },
        // Header style: "api-secret: abc", "Authorization: Bearer abc".
        { QRegularExpression(QStringLiteral(R"(\b(api-secret|authorization|cookie|set-cookie)\s*:\s*(bearer\s+|basic\s+)?[^\s,;"]+)"), ci),
          QStringLiteral("\\1: ****") },
        { QRegularExpression(QStringLiteral(R"(\bbearer\s+[A-Za-z0-9._~+/=-]+)"), ci),
          QStringLiteral("Bearer ****") },
        // JSON style: "access_token": "abc".
        { QRegularExpression(QStringLiteral(R"xx("([a-z_-]*(token|secret|password|passwd|code)[a-z_-]*)"\s*:\s*"[^"]*")xx"), ci),
          QStringLiteral("\"\\1\":\"****\"") },
        // Query or form style: token=abc, password=abc, client_secret=abc.
        { QRegularExpression(QStringLiteral(R"(\b([a-z_-]*(token|secret|password|passwd)[a-z_-]*)=[^\s&"',;]+)"), ci),
          QStringLiteral("\\1=****") },
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

QString formatLine(LogFormat format, QtMsgType type, const char *category, const QString &message,
                   const QDateTime &utc)
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
    return time + QLatin1Char(' ') + QString::fromLatin1(levelName(type)).leftJustified(7)
            + QString::fromUtf8(category) + QLatin1String(": ") + text;
}

void install(LogFormat format)
{
    g_format = format;
    // Default level info for our categories; debug on request via QT_LOGGING_RULES.
    QLoggingCategory::setFilterRules(QStringLiteral("openaps.*.debug=false\nqt.*.debug=false"));
    qInstallMessageHandler(messageHandler);
}

} // namespace openaps::log
