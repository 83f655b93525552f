#pragma once

#include "core/config.h"
#include "db/database.h"

#include <QStringList>

#include <optional>

namespace openaps::app {

// Every subcommand has this shape: the effective configuration and the
// arguments after the command name. It returns the process exit code.
using Command = int (*)(const Config &config, const QStringList &arguments);

// What commands do first: check the configuration (the secret key too when
// `needSecretKey`), open the database and, with `migrate`, bring its schema
// up to date. On failure prints one sentence (printError) and returns nullopt.
std::optional<db::Database> openDatabase(const Config &config, bool needSecretKey, bool migrate);
// "<program>: <message>" on stderr (openaps-server, openaps-demo): how a command says why it stops.
void printError(const QString &message);

int checkConfigCommand(const Config &config, const QStringList &arguments);
int migrateCommand(const Config &config, const QStringList &arguments);
int serveCommand(const Config &config, const QStringList &arguments);
// app/ingestcommand.cpp
int ingestCommand(const Config &config, const QStringList &arguments);
// app/etlcommands.cpp
int etlCommand(const Config &config, const QStringList &arguments);
int importCommand(const Config &config, const QStringList &arguments);
// app/legacycommand.cpp
int migrateLegacyCommand(const Config &config, const QStringList &arguments);
// admincommands.cpp
int adminCommand(const Config &config, const QStringList &arguments);

} // namespace openaps::app
