#pragma once

#include <QStringList>

namespace openaps::app {

// Parses `openaps-server [--config FILE] COMMAND [options]` and runs the command.
// Returns the process exit code.
int runCommandLine(const QStringList &arguments);

} // namespace openaps::app
