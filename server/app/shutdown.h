#pragma once

namespace openaps::app {

// SIGINT and SIGTERM end QCoreApplication::exec() cleanly (through a self-pipe,
// so the signal handler itself only writes one byte).
void quitOnTerminationSignals();

} // namespace openaps::app
