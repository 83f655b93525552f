#pragma once

#include "app/commands.h"

#include <QStringList>

namespace openaps::app {

// Parses `openaps-server [--config FILE] COMMAND [options]` and runs the command.
// Returns the process exit code.
int runCommandLine(const QStringList &arguments);

// A program of one command (openaps-demo): `PROGRAM [--config FILE] [options]`,
// --help prints `usage`; the options after --config go to `command`.
int runSingleCommand(const QStringList &arguments, Command command, const QString &usage);

} // namespace openaps::app
