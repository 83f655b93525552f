// An entries export as the desktop app loads it (CSV as the researcher API
// writes it, plain or gzip), and everything it computes from the readings
// for its charts: per-participant metrics, AGP, downsampled chart points.

#include "fuzzsupport.h"
#include "metrics/entriesanalysis.h"

using namespace openaps;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray input = fuzz::bytes(data, size);
    (void)metrics::parseIsoUtcMs(input);
    auto analysis = metrics::analyseEntriesFile(fuzz::writeScratchFile(QStringLiteral("entries.csv"), input));
    if (!analysis)
        return 0;
    for (const metrics::ParticipantAnalysis &participant : analysis->participants) {
        const auto points = metrics::downsample(participant.readings, 50);
        if (points.size() > 100)
            abort();
    }
    return 0;
}
