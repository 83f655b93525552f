#pragma once

#include "core/result.h"

#include <QMap>
#include <QProcessEnvironment>
#include <QSet>
#include <QString>

#include <chrono>

namespace openaps {

enum class LogFormat { Text, Json };

// One setting the system knows: OPENAPS_<name> in the environment, `name` in the INI file.
struct ConfigKey
{
    QString name; // e.g. DATABASE_URL
    QString defaultValue;
    bool secret = false;
    QString help;
};

// The effective configuration, in this order of precedence: environment
// variables OPENAPS_<NAME> or OPENAPS_<NAME>_FILE (container secrets; setting
// both is an error, an empty variable counts as unset), then an optional INI
// file (`name` or `name_FILE`, any group, unknown names are an error), then
// the built-in defaults. Only names in knownKeys() are read.
class Config
{
public:
    static const QList<ConfigKey> &knownKeys();

    static Result<Config> load(const QProcessEnvironment &env, const QString &iniPath = {});
    static Config fromValues(const QMap<QString, QString> &values);

    QString value(const QString &name) const;
    // The file an OPENAPS_<NAME>_FILE variable named, for settings that may
    // be re-read while running (a rotated master token); empty otherwise.
    QString valueFile(const QString &name) const { return m_files.value(name); }
    // Whether the environment, the INI file or fromValues() gave the setting
    // (a default does not count): `demo` keeps only what it must own.
    bool isSet(const QString &name) const { return m_set.contains(name); }
    void set(const QString &name, const QString &value)
    {
        m_values.insert(name, value);
        m_set.insert(name);
    }

    QString databaseUrl() const;
    QString dataDir() const;
    quint16 httpPort() const { return quint16(value(QStringLiteral("HTTP_PORT")).toUInt()); }
    QString httpAddress() const { return value(QStringLiteral("HTTP_ADDRESS")); }
    QByteArray secretKey() const { return value(QStringLiteral("SECRET_KEY")).toUtf8(); }
    // Empty: pseudonyms are keyed by a key derived from secretKey().
    QByteArray pseudonymKey() const { return value(QStringLiteral("PSEUDONYM_KEY")).toUtf8(); }
    LogFormat logFormat() const;
    std::chrono::seconds duration(const QString &name) const;
    int integer(const QString &name) const { return value(name).toInt(); }

    // Checks every value's form; `needSecretKey` for commands that handle tokens.
    Status validate(bool needSecretKey) const;

    // name → value with secrets masked, for `check-config`.
    QList<QPair<QString, QString>> describe() const;

    // "90s", "15m", "1h", "2d" or plain seconds.
    static std::optional<std::chrono::seconds> parseDuration(const QString &text);

private:
    QMap<QString, QString> m_values;
    QSet<QString> m_set;
    QMap<QString, QString> m_files;
};

} // namespace openaps
