#pragma once

#include <QStringList>

class QTextStream;

namespace openaps::desktop {

// `openaps-downloader report --input FILE [--input FILE…] --out DIR
// [--units mmol|mgdl] [--participant ID…]`: one AGP report PDF per
// participant of the files (as the local view opens them) into DIR, one
// line per file written on `out`; errors in plain words on `err`.
// Returns the exit code: 0 written, 1 a file could not be read or written,
// 2 bad arguments. Needs a QApplication (any platform, offscreen will do).
int runReportCommand(const QStringList &arguments, QTextStream &out, QTextStream &err);

// True when `arguments` (argv) ask for the report command, so that main()
// can pick the offscreen platform before the application exists.
bool isReportCommand(int argc, char **argv);

} // namespace openaps::desktop
