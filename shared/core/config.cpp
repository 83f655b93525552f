#include "core/config.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QSettings>
#include <QStandardPaths>
#include <QUrl>

#include <algorithm>

namespace openaps {

namespace {

ConfigKey key(const char *name, const char *defaultValue, bool secret, const char *help)
{
    return ConfigKey { QString::fromLatin1(name), QString::fromLatin1(defaultValue), secret,
                       QString::fromLatin1(help) };
}

const QString envPrefix = QStringLiteral("OPENAPS_");
constexpr int minimumSecretKeyLength = 32;
// Longest duration accepted, so that seconds never overflow (ten years).
constexpr qint64 maximumDurationSeconds = 10LL * 366 * 86400;

bool isHttpUrl(const QUrl &url)
{
    return url.isValid() && !url.host().isEmpty()
            && (url.scheme() == QLatin1String("http") || url.scheme() == QLatin1String("https"));
}

bool isKnown(const QString &name)
{
    const auto &keys = Config::knownKeys();
    return std::any_of(keys.cbegin(), keys.cend(), [&](const ConfigKey &k) { return k.name == name; });
}

// Container style secrets: OPENAPS_SECRET_KEY_FILE=/run/secrets/key. The
// trailing newline that editors and `echo` add is not part of the value.
Result<QString> readValueFile(const QString &setting, const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError("config",
                         QStringLiteral("%1 names the file %2, which cannot be read (%3).")
                                 .arg(setting, path, file.errorString()));
    return QString::fromUtf8(file.readAll()).trimmed();
}

// name → value from an INI file. Keys may sit in any group and may carry the
// OPENAPS_ prefix; NAME_FILE keys read the value from a file, as in the environment.
Result<QMap<QString, QString>> readIniFile(const QString &path)
{
    const QFileInfo info(path);
    if (!info.exists())
        return makeError("config", QStringLiteral("The configuration file %1 does not exist.").arg(path));
    if (!info.isFile() || !info.isReadable())
        return makeError("config", QStringLiteral("The configuration file %1 cannot be read.").arg(path));
    QSettings ini(path, QSettings::IniFormat);
    if (ini.status() != QSettings::NoError)
        return makeError("config", QStringLiteral("The configuration file %1 is not a valid INI file.").arg(path));
    QMap<QString, QString> values;
    const QStringList iniKeys = ini.allKeys();
    for (const QString &iniKey : iniKeys) {
        QString name = iniKey.section(QLatin1Char('/'), -1).toUpper();
        if (name.startsWith(envPrefix))
            name = name.mid(envPrefix.size());
        const QVariant raw = ini.value(iniKey);
        // QSettings splits unquoted values at commas into a list: join them back.
        QString value = raw.userType() == QMetaType::QStringList ? raw.toStringList().join(QLatin1Char(','))
                                                                 : raw.toString();
        if (name.endsWith(QLatin1String("_FILE")) && isKnown(name.chopped(5))) {
            auto content = readValueFile(iniKey, value);
            if (!content)
                return content.error();
            name.chop(5);
            value = *content;
        } else if (!isKnown(name)) {
            return makeError("config",
                             QStringLiteral("The configuration file %1 has an unknown setting "
                                            "'%2' (`openaps-server check-config` lists them).")
                                     .arg(path, iniKey));
        }
        values.insert(name, value);
    }
    return values;
}

} // namespace

const QList<ConfigKey> &Config::knownKeys()
{
    static const QList<ConfigKey> keys {
        key("DATABASE_URL", "", true,
            "sqlite:///path/file.db or postgresql://user:pass@host:port/db "
            "(default: SQLite file in the data directory)"),
        // Not a secret as a whole (deployments pass it like any setting), but
        // its password is masked wherever it is shown, as DATABASE_URL's is.
        key("DATABASE_READ_URL", "", false,
            "postgresql://user:pass@host:port/db of a streaming replica (hot standby) for exports, counts, "
            "cohort views, the participants list and release jobs (empty: everything reads the primary)"),
        key("DATABASE_READ_MAX_LAG", "30s", false,
            "the replica serves reads while its replay is at most this far behind the primary"),
        key("DATABASE_READ_FALLBACK", "primary", false,
            "primary: reads go to the primary while the replica is down or lags; error: they answer 503"),
        key("DATA_DIR", "", false, "directory for the SQLite file and local state"),
        key("HTTP_ADDRESS", "127.0.0.1", false, "address the web server listens on"),
        key("HTTP_PORT", "8080", false, "port the web server listens on"),
        key("PUBLIC_URL", "", false, "the site's public base URL, e.g. https://example.org"),
        key("SECRET_KEY", "", true, "at least 32 characters; encrypts stored tokens"),
        key("PSEUDONYM_KEY", "", true,
            "at least 32 characters; keys researchers' participant pseudonyms (default: derived from SECRET_KEY)"),
        key("LOG_FORMAT", "text", false, "text or json"),
        key("METRICS_TOKEN", "", true, "bearer token for /metrics (without it only local, unproxied requests get it)"),
        key("OH_BASE_URL", "https://www.openhumans.org", false, "Open Humans base URL"),
        key("OH_CLIENT_ID", "", false, "Open Humans project client id"),
        key("OH_CLIENT_SECRET", "", true, "Open Humans project client secret"),
        key("OH_MASTER_TOKEN", "", true,
            "the Open Humans project's master access token: the ETL and ingest serve every project member, "
            "also those who never logged in here (re-read from OPENAPS_OH_MASTER_TOKEN_FILE each cycle)"),
        key("OH_WEBHOOK_SECRET", "", true, "secret for signed deauthorisation webhooks (the web role needs it)"),
        key("INSECURE_NO_WEBHOOK_SECRET", "", false,
            "1: the web role starts without OH_WEBHOOK_SECRET and refuses every deauthorisation webhook"),
        key("SITE_WEBHOOK_LIMIT", "60", false, "deauthorisation webhooks per client address per SITE_POST_WINDOW"),
        key("NIGHTSCOUT_ALLOW_LOOPBACK", "", false,
            "1: participants' Nightscout addresses may lead to this machine (demo and tests only)"),
        key("INGEST_INTERVAL", "1h", false, "time between ingest cycles"),
        key("INGEST_CONCURRENCY", "4", false, "participants ingested at the same time"),
        key("INGEST_OVERLAP", "48h", false, "recent Nightscout data every ingest cycle reads again"),
        key("INGEST_LEASE_TTL", "10m", false, "an ingest lease of a dead instance expires after this"),
        key("ETL_INTERVAL", "1h", false, "time between ETL cycles"),
        key("ETL_CONCURRENCY", "2", false, "participants loaded at the same time"),
        key("DEMOGRAPHICS_OPENAPS_CSV_URL", "", true, "published CSV of the OpenAPS survey"),
        key("DEMOGRAPHICS_NIGHTSCOUT_CSV_URL", "", true, "published CSV of the Nightscout survey"),
        key("SITE_SESSION_LIFETIME", "14d", false, "how long a participant stays logged in"),
        key("SITE_POST_LIMIT", "30", false, "form posts per client address per window"),
        key("SITE_POST_WINDOW", "10m", false, "window of SITE_POST_LIMIT"),
        key("SITE_MAX_BODY_BYTES", "65536", false, "largest request body the site accepts"),
        key("SITE_TRUSTED_PROXIES", "", false,
            "comma-separated proxy addresses/subnets whose X-Forwarded-For is believed"),
        key("SITE_HSTS_SECONDS", "31536000", false, "HSTS max-age when PUBLIC_URL is https (0: off)"),
        key("SITE_RESOURCES_DIR", "", false, "serve site templates/static files from this directory"),
        key("SITE_PRIVACY_NOTICE_FILE", "", false,
            "plain text file with the privacy notice the site shows (empty: the built-in notice)"),
        key("SITE_CONTACT", "", false, "e-mail or web address participants can contact, shown on /privacy"),
        key("API_EXPORTS_PER_RESEARCHER", "2", false, "downloads one researcher may run at the same time"),
        key("RELEASE_DIR", "", false, "directory of the release zips (empty: releases/ in DATA_DIR)"),
        key("RELEASE_EXPIRY_HOURS", "168", false, "how long a finished release's zip is kept"),
        key("RELEASE_QUOTA_MB", "20480", false, "disk one researcher's ready releases may take (0: no limit)"),
        key("RELEASE_LEASE", "2m", false,
            "an instance holds the releases it builds this long without renewing; then another takes them over"),
        key("RELEASE_IDLE_TIMEOUT", "60s", false,
            "a release download whose client takes no bytes this long is dropped"),
        key("API_TOKEN_TTL", "30d", false, "how long a researcher API sign-in (bearer token) lasts"),
        key("COHORT_MIN_PARTICIPANTS", "5", false,
            "cohort views withhold every cell that describes fewer participants than this (k, 2-1000)"),
        key("SMTP_URL", "", false,
            "smtp://host:port, smtp+starttls://host:port or smtps://host:port (empty: no email)"),
        key("SMTP_USER", "", false, "SMTP login name (empty: no login)"),
        key("SMTP_PASSWORD", "", true, "SMTP login password"),
        key("MAIL_FROM", "", false, "sender address of the researcher API's emails"),
    };
    return keys;
}

Result<Config> Config::load(const QProcessEnvironment &env, const QString &iniPath)
{
    QMap<QString, QString> values;

    if (!iniPath.isEmpty()) {
        auto ini = readIniFile(iniPath);
        if (!ini)
            return ini.error();
        for (auto it = ini->cbegin(); it != ini->cend(); ++it)
            values.insert(it.key(), it.value());
    }

    QMap<QString, QString> files;
    // Plain variables and _FILE variants of the settings we know; other
    // OPENAPS_* variables (e.g. the tests' own) are none of our business.
    // An empty variable counts as unset, as docker-compose passes `VAR=` through.
    for (const ConfigKey &k : knownKeys()) {
        const QString plainName = envPrefix + k.name;
        const QString fileName = plainName + QLatin1String("_FILE");
        const QString plain = env.value(plainName);
        const QString file = env.value(fileName);
        if (!plain.isEmpty() && !file.isEmpty())
            return makeError("config",
                             QStringLiteral("Both %1 and %2 are set: set only one of them.").arg(plainName, fileName));
        if (!file.isEmpty()) {
            auto content = readValueFile(fileName, file);
            if (!content)
                return content.error();
            values.insert(k.name, *content);
            files.insert(k.name, file);
        } else if (!plain.isEmpty()) {
            values.insert(k.name, plain);
        }
    }
    Config config = fromValues(values);
    config.m_files = files;
    return config;
}

Config Config::fromValues(const QMap<QString, QString> &values)
{
    Config config;
    for (const ConfigKey &k : knownKeys())
        config.m_values.insert(k.name, k.defaultValue);
    for (auto it = values.cbegin(); it != values.cend(); ++it) {
        config.m_values.insert(it.key(), it.value());
        config.m_set.insert(it.key());
    }
    return config;
}

QString Config::value(const QString &name) const
{
    return m_values.value(name);
}

QString Config::dataDir() const
{
    QString dir = value(QStringLiteral("DATA_DIR"));
    if (!dir.isEmpty())
        return dir;
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
}

QString Config::databaseUrl() const
{
    QString url = value(QStringLiteral("DATABASE_URL"));
    if (!url.isEmpty())
        return url;
    return QLatin1String("sqlite://") + QDir(dataDir()).absoluteFilePath(QStringLiteral("openaps.db"));
}

LogFormat Config::logFormat() const
{
    return value(QStringLiteral("LOG_FORMAT")).compare(QLatin1String("json"), Qt::CaseInsensitive) == 0
            ? LogFormat::Json
            : LogFormat::Text;
}

std::chrono::seconds Config::duration(const QString &name) const
{
    return parseDuration(value(name)).value_or(std::chrono::seconds(3600));
}

std::optional<std::chrono::seconds> Config::parseDuration(const QString &text)
{
    QString t = text.trimmed().toLower();
    if (t.isEmpty())
        return std::nullopt;
    qint64 unit = 1;
    const QChar last = t.back();
    if (last.isLetter()) {
        switch (last.toLatin1()) {
        case 's':
            unit = 1;
            break;
        case 'm':
            unit = 60;
            break;
        case 'h':
            unit = 3600;
            break;
        case 'd':
            unit = 86400;
            break;
        default:
            return std::nullopt;
        }
        t.chop(1);
    }
    bool ok = false;
    const qint64 n = t.toLongLong(&ok);
    if (!ok || n <= 0 || n > maximumDurationSeconds / unit)
        return std::nullopt;
    return std::chrono::seconds(n * unit);
}

namespace {

// OPENAPS_DATABASE_READ_URL and its settings (README, "Read replica").
Status validateReadReplica(const Config &config)
{
    const QString readUrl = config.value(QStringLiteral("DATABASE_READ_URL"));
    if (readUrl.isEmpty())
        return {};
    if (!readUrl.startsWith(QLatin1String("postgresql://")) && !readUrl.startsWith(QLatin1String("postgres://")))
        return makeError("config",
                         QStringLiteral("OPENAPS_DATABASE_READ_URL must be a postgresql:// URL of a streaming replica "
                                        "(the scheme '%1' is not supported).")
                                 .arg(readUrl.section(QLatin1Char(':'), 0, 0)));
    if (config.databaseUrl().startsWith(QLatin1String("sqlite://")))
        return makeError("config",
                         QStringLiteral("OPENAPS_DATABASE_READ_URL is set, but the database is SQLite, which has no "
                                        "replicas: unset OPENAPS_DATABASE_READ_URL, or use PostgreSQL."));
    if (!Config::parseDuration(config.value(QStringLiteral("DATABASE_READ_MAX_LAG"))))
        return makeError("config",
                         QStringLiteral("OPENAPS_DATABASE_READ_MAX_LAG must be a duration such as 10s, 5m or 1h."));
    const QString fallback = config.value(QStringLiteral("DATABASE_READ_FALLBACK"));
    if (fallback != QLatin1String("primary") && fallback != QLatin1String("error"))
        return makeError("config", QStringLiteral("OPENAPS_DATABASE_READ_FALLBACK must be primary or error."));
    return {};
}

} // namespace

Status Config::validate(bool needSecretKey) const
{
    const QString url = value(QStringLiteral("DATABASE_URL"));
    if (!url.isEmpty() && !url.startsWith(QLatin1String("sqlite://")) && !url.startsWith(QLatin1String("postgresql://"))
        && !url.startsWith(QLatin1String("postgres://")))
        return makeError(
                "config",
                QStringLiteral("OPENAPS_DATABASE_URL must start with sqlite:// or postgresql:// (the scheme '%1' is "
                               "not supported).")
                        .arg(url.section(QLatin1Char(':'), 0, 0)));

    if (auto replica = validateReadReplica(*this); !replica)
        return replica;

    bool ok = false;
    const uint port = value(QStringLiteral("HTTP_PORT")).toUInt(&ok);
    if (!ok || port > 65535)
        return makeError("config", QStringLiteral("OPENAPS_HTTP_PORT must be a number from 0 to 65535."));

    const QString format = value(QStringLiteral("LOG_FORMAT")).toLower();
    if (format != QLatin1String("text") && format != QLatin1String("json"))
        return makeError("config", QStringLiteral("OPENAPS_LOG_FORMAT must be text or json."));

    for (const char *name :
         { "INGEST_INTERVAL", "ETL_INTERVAL", "INGEST_OVERLAP", "INGEST_LEASE_TTL", "RELEASE_IDLE_TIMEOUT" }) {
        const QString n = QString::fromLatin1(name);
        if (!parseDuration(value(n)))
            return makeError("config",
                             QStringLiteral("OPENAPS_%1 must be a duration such as 90s, 15m, 1h or 2d.").arg(n));
    }
    // Renewed every third of it: shorter, and a slow database round trip could lose it.
    if (const auto lease = parseDuration(value(QStringLiteral("RELEASE_LEASE")));
        !lease || *lease < std::chrono::seconds(30))
        return makeError("config",
                         QStringLiteral("OPENAPS_RELEASE_LEASE must be a duration of at least 30s, such as "
                                        "2m."));
    for (const char *name : { "INGEST_CONCURRENCY", "ETL_CONCURRENCY" }) {
        const QString n = QString::fromLatin1(name);
        const int v = value(n).toInt(&ok);
        if (!ok || v < 1 || v > 64)
            return makeError("config", QStringLiteral("OPENAPS_%1 must be a number from 1 to 64.").arg(n));
    }
    if (const int k = value(QStringLiteral("COHORT_MIN_PARTICIPANTS")).toInt(&ok); !ok || k < 2 || k > 1000)
        return makeError("config", QStringLiteral("OPENAPS_COHORT_MIN_PARTICIPANTS must be a number from 2 to 1000."));
    if (QHostAddress(httpAddress()).isNull())
        return makeError(
                "config",
                QStringLiteral("OPENAPS_HTTP_ADDRESS must be an IP address such as 127.0.0.1, 0.0.0.0 or ::."));

    if (const QString publicUrl = value(QStringLiteral("PUBLIC_URL"));
        !publicUrl.isEmpty() && !isHttpUrl(QUrl(publicUrl)))
        return makeError(
                "config",
                QStringLiteral("OPENAPS_PUBLIC_URL must be an http or https URL such as https://example.org."));

    const QUrl ohBase(value(QStringLiteral("OH_BASE_URL")));
    if (!isHttpUrl(ohBase))
        return makeError("config", QStringLiteral("OPENAPS_OH_BASE_URL must be an http or https URL."));

    if (needSecretKey) {
        const QString secret = value(QStringLiteral("SECRET_KEY"));
        if (secret.isEmpty())
            return makeError(
                    "config",
                    QStringLiteral("OPENAPS_SECRET_KEY is not set: it encrypts stored tokens. Set it (or "
                                   "OPENAPS_SECRET_KEY_FILE) to a random string of at least %1 characters, for "
                                   "example the output of `openssl rand -base64 48`.")
                            .arg(minimumSecretKeyLength));
        if (secret.size() < minimumSecretKeyLength)
            return makeError("config",
                             QStringLiteral("OPENAPS_SECRET_KEY is too short: use at least %1 characters.")
                                     .arg(minimumSecretKeyLength));
    }
    const QString pseudonymKey = value(QStringLiteral("PSEUDONYM_KEY"));
    if (!pseudonymKey.isEmpty() && pseudonymKey.size() < minimumSecretKeyLength)
        return makeError("config",
                         QStringLiteral("OPENAPS_PSEUDONYM_KEY is too short: use at least %1 characters.")
                                 .arg(minimumSecretKeyLength));
    return {};
}

QList<QPair<QString, QString>> Config::describe() const
{
    QList<QPair<QString, QString>> rows;
    for (const ConfigKey &k : knownKeys()) {
        QString v = value(k.name);
        if (k.name == QLatin1String("DATABASE_URL") || k.name == QLatin1String("DATABASE_READ_URL")) {
            if (k.name == QLatin1String("DATABASE_URL"))
                v = databaseUrl();
            QUrl u(v);
            if (!u.password().isEmpty()) {
                u.setPassword(QStringLiteral("****"));
                v = u.toString();
            }
        } else if (k.name == QLatin1String("DATA_DIR")) {
            v = dataDir();
        } else if (k.secret && !v.isEmpty()) {
            v = QStringLiteral("**** (set, %1 characters)").arg(v.size());
        } else if (k.secret) {
            v = QStringLiteral("(not set)");
        }
        rows.append({ envPrefix + k.name, v });
    }
    return rows;
}

} // namespace openaps
