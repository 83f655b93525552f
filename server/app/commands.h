#pragma once

#include "core/config.h"

#include <QStringList>

namespace openaps::server {

// Every subcommand has this shape: the effective configuration and the
// arguments after the command name. It returns the process exit code.
using Command = int (*)(const Config &config, const QStringList &arguments);

int checkConfigCommand(const Config &config, const QStringList &arguments);
int migrateCommand(const Config &config, const QStringList &arguments);
int serveCommand(const Config &config, const QStringList &arguments);
// ingest/ingestcommand.cpp
int ingestCommand(const Config &config, const QStringList &arguments);
// etl/etlcommands.cpp
int etlCommand(const Config &config, const QStringList &arguments);
int importCommand(const Config &config, const QStringList &arguments);

} // namespace openaps::server
