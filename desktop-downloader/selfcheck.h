#pragma once

class QTextStream;

namespace openaps::desktop {

class MainWindow;

// `openaps-downloader --self-check`: proves on a new machine that the app can
// really start, beyond what `--version` shows: the platform plugin loaded,
// TLS works (the server is reached over HTTPS), the main window and its
// charts paint, the sign-in dialog opens. Prints one line per check and
// returns the exit code (0 when every check holds). The fresh-machine test
// runs it offscreen in a root that has only the runtime packages.
int selfCheck(MainWindow &window, QTextStream &out);

} // namespace openaps::desktop
