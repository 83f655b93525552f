#include "core/config.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace openaps;
using namespace std::chrono_literals;
using namespace Qt::StringLiterals;
using StringMap = QMap<QString, QString>;

namespace {

const QString goodSecret = QStringLiteral("0123456789abcdef0123456789abcdef-secret");

QProcessEnvironment environment(const QMap<QString, QString> &vars)
{
    QProcessEnvironment env;
    for (auto it = vars.cbegin(); it != vars.cend(); ++it)
        env.insert(it.key(), it.value());
    return env;
}

} // namespace

class TestConfig final : public QObject
{
    Q_OBJECT

private slots:
    void init();

    void defaults();
    void fromEnvironment_data();
    void fromEnvironment();
    void fileVariant_data();
    void fileVariant();
    void fileVariantErrors_data();
    void fileVariantErrors();
    void iniFile_data();
    void iniFile();
    void iniErrors_data();
    void iniErrors();
    void precedence();
    void onlyGivenSettingsCountAsSet();

    void durations_data();
    void durations();
    void validation_data();
    void validation();
    void secretKeyOnlyWhenNeeded();

    void describeMasksSecrets();

private:
    QString writeFile(const QString &name, const QByteArray &content);
    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestConfig::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

QString TestConfig::writeFile(const QString &name, const QByteArray &content)
{
    QString path = m_dir->filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size())
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

void TestConfig::defaults()
{
    const auto config = Config::load(QProcessEnvironment());
    QVERIFY(config.ok());
    QCOMPARE(config->httpPort(), quint16(8080));
    QCOMPARE(config->httpAddress(), QStringLiteral("127.0.0.1"));
    QCOMPARE(config->logFormat(), LogFormat::Text);
    QCOMPARE(config->duration(QStringLiteral("INGEST_INTERVAL")), 1h);
    QCOMPARE(config->duration(QStringLiteral("RELEASE_LEASE")), 2min);
    QCOMPARE(config->duration(QStringLiteral("RELEASE_IDLE_TIMEOUT")), 60s);
    QVERIFY(config->databaseUrl().startsWith(QLatin1String("sqlite:///")));
    QVERIFY(config->databaseUrl().endsWith(QLatin1String("/openaps.db")));
    QVERIFY(config->validate(false).ok());
}

void TestConfig::fromEnvironment_data()
{
    QTest::addColumn<QString>("variable");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("expected");
    QTest::addRow("database url") << u"OPENAPS_DATABASE_URL"_s << u"postgresql://u:p@db:5432/openaps"_s
                                  << u"DATABASE_URL"_s << u"postgresql://u:p@db:5432/openaps"_s;
    QTest::addRow("port") << u"OPENAPS_HTTP_PORT"_s << u"9000"_s << u"HTTP_PORT"_s << u"9000"_s;
    QTest::addRow("log format") << u"OPENAPS_LOG_FORMAT"_s << u"json"_s << u"LOG_FORMAT"_s << u"json"_s;
    QTest::addRow("empty means unset") << u"OPENAPS_HTTP_PORT"_s << u""_s << u"HTTP_PORT"_s << u"8080"_s;
    QTest::addRow("unknown OPENAPS variable ignored")
            << u"OPENAPS_NO_SUCH_THING"_s << u"x"_s << u"NO_SUCH_THING"_s << u""_s;
    QTest::addRow("other prefix ignored") << u"DATABASE_URL"_s << u"sqlite:///x.db"_s << u"DATABASE_URL"_s << u""_s;
    QTest::addRow("lower case ignored") << u"openaps_http_port"_s << u"1"_s << u"HTTP_PORT"_s << u"8080"_s;
}

void TestConfig::fromEnvironment()
{
    QFETCH(QString, variable);
    QFETCH(QString, value);
    QFETCH(QString, name);
    QFETCH(QString, expected);
    const auto config = Config::load(environment({ { variable, value } }));
    QVERIFY(config.ok());
    QCOMPARE(config->value(name), expected);
}

void TestConfig::fileVariant_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("expected");
    QTest::addRow("plain") << QByteArray("s3cret-value") << u"s3cret-value"_s;
    QTest::addRow("trailing newline") << QByteArray("s3cret-value\n") << u"s3cret-value"_s;
    QTest::addRow("windows newline") << QByteArray("s3cret-value\r\n") << u"s3cret-value"_s;
    QTest::addRow("utf-8") << QByteArray("gr\xc3\xbc\xc3\x9f") << QString::fromUtf8("grüß");
    QTest::addRow("empty file") << QByteArray() << u""_s;
}

void TestConfig::fileVariant()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, expected);
    const QString path = writeFile(QStringLiteral("secret"), content);
    const auto config = Config::load(environment({ { u"OPENAPS_SECRET_KEY_FILE"_s, path } }));
    QVERIFY(config.ok());
    QCOMPARE(config->value(QStringLiteral("SECRET_KEY")), expected);
    QCOMPARE(config->secretKey(), expected.toUtf8());
}

void TestConfig::fileVariantErrors_data()
{
    QTest::addColumn<StringMap>("env");
    QTest::addColumn<QString>("message");
    QTest::addRow("missing file") << StringMap {
        { u"OPENAPS_SECRET_KEY_FILE"_s, u"/nonexistent/secret"_s }
    } << u"OPENAPS_SECRET_KEY_FILE names the file /nonexistent/secret, which cannot be read"_s;
    QTest::addRow("directory") << StringMap { { u"OPENAPS_OH_CLIENT_SECRET_FILE"_s, u"/"_s } }
                               << u"OPENAPS_OH_CLIENT_SECRET_FILE names the file /, which cannot be read"_s;
    QTest::addRow("both set") << StringMap {
        { u"OPENAPS_SECRET_KEY"_s, u"a"_s }, { u"OPENAPS_SECRET_KEY_FILE"_s, u"/x"_s }
    } << u"Both OPENAPS_SECRET_KEY and OPENAPS_SECRET_KEY_FILE are set: set only one of them."_s;
}

void TestConfig::fileVariantErrors()
{
    QFETCH(StringMap, env);
    QFETCH(QString, message);
    const auto config = Config::load(environment(env));
    QVERIFY(!config.ok());
    QCOMPARE(config.error().code, QStringLiteral("config"));
    QVERIFY2(config.error().message.startsWith(message), qPrintable(config.error().message));
}

void TestConfig::iniFile_data()
{
    QTest::addColumn<QByteArray>("ini");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("expected");
    QTest::addRow("top level") << QByteArray("http_port = 9001\n") << u"HTTP_PORT"_s << u"9001"_s;
    QTest::addRow("in a group") << QByteArray("[openaps]\nhttp_port=9002\n") << u"HTTP_PORT"_s << u"9002"_s;
    QTest::addRow("with prefix") << QByteArray("OPENAPS_HTTP_PORT=9003\n") << u"HTTP_PORT"_s << u"9003"_s;
    QTest::addRow("upper case") << QByteArray("LOG_FORMAT=json\n") << u"LOG_FORMAT"_s << u"json"_s;
    QTest::addRow("url with colon and slashes") << QByteArray("database_url = \"postgresql://u:p@h:5432/db\"\n")
                                                << u"DATABASE_URL"_s << u"postgresql://u:p@h:5432/db"_s;
    QTest::addRow("comma list kept whole") << QByteArray("oh_base_url = https://a.example,https://b.example\n")
                                           << u"OH_BASE_URL"_s << u"https://a.example,https://b.example"_s;
    QTest::addRow("comment") << QByteArray("; http_port = 1\nhttp_port=9004\n") << u"HTTP_PORT"_s << u"9004"_s;
}

void TestConfig::iniFile()
{
    QFETCH(QByteArray, ini);
    QFETCH(QString, name);
    QFETCH(QString, expected);
    const auto config = Config::load(QProcessEnvironment(), writeFile(QStringLiteral("a.ini"), ini));
    QVERIFY2(config.ok(), config.ok() ? "" : qPrintable(config.error().message));
    QCOMPARE(config->value(name), expected);
}

void TestConfig::iniErrors_data()
{
    QTest::addColumn<QByteArray>("ini");
    QTest::addColumn<QString>("message");
    QTest::addRow("unknown setting") << QByteArray("htp_port = 1\n") << u"has an unknown setting 'htp_port'"_s;
    QTest::addRow("unreadable _FILE") << QByteArray("secret_key_file = /nonexistent/key\n")
                                      << u"names the file /nonexistent/key, which cannot be read"_s;
}

void TestConfig::iniErrors()
{
    QFETCH(QByteArray, ini);
    QFETCH(QString, message);
    const auto config = Config::load(QProcessEnvironment(), writeFile(QStringLiteral("b.ini"), ini));
    QVERIFY(!config.ok());
    QVERIFY2(config.error().message.contains(message), qPrintable(config.error().message));

    const auto missing = Config::load(QProcessEnvironment(), m_dir->filePath(QStringLiteral("none.ini")));
    QVERIFY(!missing.ok());
    QVERIFY(missing.error().message.contains(QLatin1String("does not exist")));
}

void TestConfig::precedence()
{
    const QString keyFile = writeFile(QStringLiteral("key"), "from-file");
    const QString ini = writeFile(QStringLiteral("p.ini"),
                                  "http_port = 1111\nlog_format = json\nsecret_key = from-ini\n"
                                  "etl_interval = 5m\n");
    const auto config = Config::load(environment({ { u"OPENAPS_HTTP_PORT"_s, u"2222"_s },
                                                   { u"OPENAPS_SECRET_KEY_FILE"_s, keyFile },
                                                   { u"OPENAPS_ETL_INTERVAL"_s, u""_s } }),
                                     ini);
    QVERIFY(config.ok());
    QCOMPARE(config->value(QStringLiteral("HTTP_PORT")), QStringLiteral("2222")); // env over INI
    QCOMPARE(config->value(QStringLiteral("SECRET_KEY")), QStringLiteral("from-file")); // _FILE over INI
    QCOMPARE(config->logFormat(), LogFormat::Json); // INI over default
    QCOMPARE(config->duration(QStringLiteral("ETL_INTERVAL")), 5min); // empty env leaves INI
    QCOMPARE(config->value(QStringLiteral("INGEST_INTERVAL")), QStringLiteral("1h")); // default
}

void TestConfig::onlyGivenSettingsCountAsSet()
{
    // `demo` keeps the operator's settings and replaces only the defaults.
    const auto config = Config::load(environment(
            { { u"OPENAPS_INGEST_INTERVAL"_s, u"1h"_s }, { u"OPENAPS_SITE_CONTACT"_s, u"a@example.org"_s } }));
    QVERIFY(config.ok());
    QVERIFY(config->isSet(u"INGEST_INTERVAL"_s)); // set, even to its default value
    QVERIFY(config->isSet(u"SITE_CONTACT"_s));
    QVERIFY(!config->isSet(u"ETL_INTERVAL"_s));
    QCOMPARE(config->value(u"ETL_INTERVAL"_s), u"1h"_s);
    Config copy = *config;
    copy.set(u"ETL_INTERVAL"_s, u"30s"_s);
    QVERIFY(copy.isSet(u"ETL_INTERVAL"_s));
}

void TestConfig::durations_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("seconds"); // -1: rejected
    QTest::addRow("plain seconds") << u"45"_s << qint64(45);
    QTest::addRow("seconds") << u"90s"_s << qint64(90);
    QTest::addRow("minutes") << u"15m"_s << qint64(900);
    QTest::addRow("hours") << u"1h"_s << qint64(3600);
    QTest::addRow("days") << u"2d"_s << qint64(172800);
    QTest::addRow("upper case and spaces") << u" 3H "_s << qint64(10800);
    QTest::addRow("zero") << u"0"_s << qint64(-1);
    QTest::addRow("negative") << u"-5m"_s << qint64(-1);
    QTest::addRow("empty") << u""_s << qint64(-1);
    QTest::addRow("unit only") << u"h"_s << qint64(-1);
    QTest::addRow("unknown unit") << u"5w"_s << qint64(-1);
    QTest::addRow("fraction") << u"1.5h"_s << qint64(-1);
    QTest::addRow("combined") << u"1h30m"_s << qint64(-1);
    QTest::addRow("overflow") << u"9999999999999999d"_s << qint64(-1);
    QTest::addRow("words") << u"hourly"_s << qint64(-1);
}

void TestConfig::durations()
{
    QFETCH(QString, text);
    QFETCH(qint64, seconds);
    const auto parsed = Config::parseDuration(text);
    if (seconds < 0) {
        QVERIFY(!parsed);
        return;
    }
    QVERIFY(parsed);
    QCOMPARE(parsed->count(), seconds);
}

void TestConfig::validation_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("message"); // empty: valid
    QTest::addRow("sqlite url") << u"DATABASE_URL"_s << u"sqlite:///tmp/x.db"_s << u""_s;
    QTest::addRow("postgres url") << u"DATABASE_URL"_s << u"postgres://u@h/db"_s << u""_s;
    QTest::addRow("unknown scheme")
            << u"DATABASE_URL"_s << u"mysql://u@h/db"_s
            << u"OPENAPS_DATABASE_URL must start with sqlite:// or postgresql:// (the scheme 'mysql' is not supported)."_s;
    QTest::addRow("port zero") << u"HTTP_PORT"_s << u"0"_s << u""_s;
    QTest::addRow("port too big") << u"HTTP_PORT"_s << u"70000"_s
                                  << u"OPENAPS_HTTP_PORT must be a number from 0 to 65535."_s;
    QTest::addRow("port not a number") << u"HTTP_PORT"_s << u"http"_s
                                       << u"OPENAPS_HTTP_PORT must be a number from 0 to 65535."_s;
    QTest::addRow("ipv6 address") << u"HTTP_ADDRESS"_s << u"::"_s << u""_s;
    QTest::addRow("host name address")
            << u"HTTP_ADDRESS"_s << u"localhost"_s
            << u"OPENAPS_HTTP_ADDRESS must be an IP address such as 127.0.0.1, 0.0.0.0 or ::."_s;
    QTest::addRow("json logs") << u"LOG_FORMAT"_s << u"JSON"_s << u""_s;
    QTest::addRow("xml logs") << u"LOG_FORMAT"_s << u"xml"_s << u"OPENAPS_LOG_FORMAT must be text or json."_s;
    QTest::addRow("bad ingest interval") << u"INGEST_INTERVAL"_s << u"soon"_s
                                         << u"OPENAPS_INGEST_INTERVAL must be a duration such as 90s, 15m, 1h or 2d."_s;
    QTest::addRow("bad etl interval") << u"ETL_INTERVAL"_s << u"0"_s
                                      << u"OPENAPS_ETL_INTERVAL must be a duration such as 90s, 15m, 1h or 2d."_s;
    QTest::addRow("release lease") << u"RELEASE_LEASE"_s << u"5m"_s << u""_s;
    QTest::addRow("release lease too short")
            << u"RELEASE_LEASE"_s << u"10s"_s
            << u"OPENAPS_RELEASE_LEASE must be a duration of at least 30s, such as 2m."_s;
    QTest::addRow("bad release idle timeout")
            << u"RELEASE_IDLE_TIMEOUT"_s << u"never"_s
            << u"OPENAPS_RELEASE_IDLE_TIMEOUT must be a duration such as 90s, 15m, 1h or 2d."_s;
    QTest::addRow("ingest concurrency 0")
            << u"INGEST_CONCURRENCY"_s << u"0"_s << u"OPENAPS_INGEST_CONCURRENCY must be a number from 1 to 64."_s;
    QTest::addRow("etl concurrency 65") << u"ETL_CONCURRENCY"_s << u"65"_s
                                        << u"OPENAPS_ETL_CONCURRENCY must be a number from 1 to 64."_s;
    QTest::addRow("public url") << u"PUBLIC_URL"_s << u"https://data.example.org"_s << u""_s;
    QTest::addRow("public url without scheme")
            << u"PUBLIC_URL"_s << u"data.example.org"_s
            << u"OPENAPS_PUBLIC_URL must be an http or https URL such as https://example.org."_s;
    QTest::addRow("oh base ftp") << u"OH_BASE_URL"_s << u"ftp://openhumans.org"_s
                                 << u"OPENAPS_OH_BASE_URL must be an http or https URL."_s;
    QTest::addRow("short secret") << u"SECRET_KEY"_s << u"k3y-9"_s
                                  << u"OPENAPS_SECRET_KEY is too short: use at least 32 characters."_s;
    QTest::addRow("missing secret") << u"SECRET_KEY"_s << u""_s
                                    << u"OPENAPS_SECRET_KEY is not set: it encrypts stored tokens."_s;
}

void TestConfig::validation()
{
    QFETCH(QString, name);
    QFETCH(QString, value);
    QFETCH(QString, message);
    Config config = Config::fromValues({ { QStringLiteral("SECRET_KEY"), goodSecret } });
    config.set(name, value);
    const Status status = config.validate(true);
    if (message.isEmpty()) {
        QVERIFY2(status.ok(), status.ok() ? "" : qPrintable(status.error().message));
        return;
    }
    QVERIFY(!status.ok());
    QCOMPARE(status.error().code, QStringLiteral("config"));
    QVERIFY2(status.error().message.startsWith(message), qPrintable(status.error().message));
    QVERIFY(!status.error().message.contains(QLatin1Char('\n')));
    if (name == QLatin1String("SECRET_KEY") && !value.isEmpty())
        QVERIFY(!status.error().message.contains(value)); // never echo a secret
}

void TestConfig::secretKeyOnlyWhenNeeded()
{
    const Config config = Config::fromValues({});
    QVERIFY(config.validate(false).ok());
    QVERIFY(!config.validate(true).ok());
}

void TestConfig::describeMasksSecrets()
{
    const Config config = Config::fromValues({
            { QStringLiteral("DATABASE_URL"), QStringLiteral("postgresql://app:pg-pass-123@db:5432/openaps") },
            { QStringLiteral("SECRET_KEY"), goodSecret },
            { QStringLiteral("OH_CLIENT_SECRET"), QStringLiteral("oh-client-secret-xyz") },
            { QStringLiteral("HTTP_PORT"), QStringLiteral("8443") },
    });
    QMap<QString, QString> shown;
    const auto rows = config.describe();
    for (const auto &row : rows)
        shown.insert(row.first, row.second);
    QCOMPARE(shown.size(), Config::knownKeys().size());
    QCOMPARE(shown.value(QStringLiteral("OPENAPS_HTTP_PORT")), QStringLiteral("8443"));
    QCOMPARE(shown.value(QStringLiteral("OPENAPS_DATABASE_URL")),
             QStringLiteral("postgresql://app:****@db:5432/openaps"));
    QCOMPARE(shown.value(QStringLiteral("OPENAPS_SECRET_KEY")), QStringLiteral("**** (set, 39 characters)"));
    QCOMPARE(shown.value(QStringLiteral("OPENAPS_OH_WEBHOOK_SECRET")), QStringLiteral("(not set)"));
    for (const auto &row : rows) {
        for (const QString &secret :
             { goodSecret, QStringLiteral("pg-pass-123"), QStringLiteral("oh-client-secret-xyz") })
            QVERIFY2(!row.second.contains(secret), qPrintable(row.first));
    }
}

QTEST_GUILESS_MAIN(TestConfig)
#include "tst_config.moc"
