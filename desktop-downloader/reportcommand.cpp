#include "reportcommand.h"

#include "agpreport.h"
#include "metrics/localdata.h"
#include "units.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QTextStream>

#include <cstring>

namespace openaps::desktop {

bool isReportCommand(int argc, char **argv)
{
    return argc > 1 && std::strcmp(argv[1], "report") == 0;
}

int runReportCommand(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Writes one AGP report PDF per participant of downloaded files"));
    const QCommandLineOption input(QStringLiteral("input"),
                                   QStringLiteral("A downloaded file (entries; treatments, device status and "
                                                  "profile are read too); repeat for several"),
                                   QStringLiteral("FILE"));
    const QCommandLineOption outDir(QStringLiteral("out"), QStringLiteral("The folder for the PDFs"),
                                    QStringLiteral("DIR"));
    const QCommandLineOption units(QStringLiteral("units"), QStringLiteral("mgdl (default) or mmol"),
                                   QStringLiteral("UNITS"), QStringLiteral("mgdl"));
    const QCommandLineOption only(QStringLiteral("participant"),
                                  QStringLiteral("Only this participant (pseudonym); repeat for several"),
                                  QStringLiteral("ID"));
    parser.addOptions({ input, outDir, units, only });
    parser.addHelpOption();
    if (!parser.parse(arguments)) {
        err << parser.errorText() << '\n';
        return 2;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out << parser.helpText();
        return 0;
    }
    bool unitOk = false;
    const GlucoseUnit unit = parseUnit(parser.value(units), &unitOk);
    if (parser.values(input).isEmpty() || !parser.isSet(outDir) || !unitOk) {
        err << "Usage: openaps-downloader report --input FILE [--input FILE...] --out DIR [--units mmol|mgdl]"
               " [--participant ID]\n";
        if (!unitOk)
            err << "Unknown units \"" << parser.value(units) << "\": use mgdl or mmol.\n";
        return 2;
    }
    auto data = metrics::loadLocalFiles(parser.values(input));
    if (!data) {
        err << data.error().message << '\n';
        return 1;
    }
    const QDir dir(parser.value(outDir));
    if (!dir.exists() && !QDir().mkpath(dir.path())) {
        err << "The folder " << dir.path() << " could not be made.\n";
        return 1;
    }
    const QStringList wanted = parser.values(only);
    int written = 0;
    for (const metrics::ParticipantAnalysis &p : std::as_const(data->entries.participants)) {
        if (!wanted.isEmpty() && !wanted.contains(p.participant))
            continue;
        const QString path = dir.filePath(agpReportFileName(p.participant));
        if (Status status = writeAgpReport(p, unit, path); !status) {
            err << status.error().message << '\n';
            return 1;
        }
        out << path << '\n';
        ++written;
    }
    if (written == 0) {
        err << (wanted.isEmpty() ? "The files hold no glucose readings: nothing to report.\n"
                                 : "None of the given participants has glucose readings in the files.\n");
        return 1;
    }
    return 0;
}

} // namespace openaps::desktop
