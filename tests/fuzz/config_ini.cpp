// The INI file given with --config: read with an empty environment, then
// checked and described as check-config does. What check-config prints
// never shows a secret.

#include "core/config.h"
#include "db/database.h"
#include "fuzzsupport.h"

#include <QFile>
#include <QUrl>

using namespace openaps;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray input = fuzz::bytes(data, size);
    // A new name each time: QSettings caches what it read per file name
    // and may not see a rewrite within the same second.
    static int number = 0;
    const QString path = fuzz::writeScratchFile(QStringLiteral("openaps-%1.ini").arg(++number), input);
    const auto config = Config::load(QProcessEnvironment(), path);
    QFile::remove(path);
    if (!config)
        return 0;
    (void)config->validate(true);
    (void)config->validate(false);
    (void)config->logFormat();
    (void)config->httpPort();
    for (const ConfigKey &key : Config::knownKeys())
        (void)Config::parseDuration(config->value(key.name));

    const auto databaseUrl = db::DatabaseUrl::parse(config->databaseUrl());
    const QString password = databaseUrl ? databaseUrl->password : QString();
    for (const auto &[prefixed, shown] : config->describe()) {
        const QString name = prefixed.mid(8); // OPENAPS_
        const bool secret = std::any_of(Config::knownKeys().cbegin(), Config::knownKeys().cend(),
                                        [&](const ConfigKey &k) { return k.name == name && k.secret; });
        const bool leaks = name == QLatin1String("DATABASE_URL")
                // The URL's own password, as a reader of the line would
                // take it (a database name may hold ":pw@" as text).
                ? !password.isEmpty() && QUrl(shown).password() == password
                : secret && !shown.startsWith(QLatin1String("****")) && shown != QLatin1String("(not set)");
        if (leaks)
            fuzz::fail("config_ini", QLatin1String("check-config shows the secret ") + name);
    }
    return 0;
}
