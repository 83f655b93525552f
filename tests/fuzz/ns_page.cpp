// One page of a Nightscout collection as a site answers it, through the
// real client (status and JSON interpretation, paging by date, de-duplication)
// and the ingest's window reader (record time, scrubbing, monthly segment
// batches), then merged into a segment file as the upload does.
// Built once per collection: OPENAPS_FUZZ_TYPE is entries, treatments,
// devicestatus or profile.

#include "fuzzsupport.h"
#include "ingest/hostgate.h"
#include "ingest/recordprep.h"
#include "ingest/segment.h"
#include "ingest/windowreader.h"
#include "nightscout/client.h"

#include <QHostAddress>

using namespace openaps;

#define OPENAPS_STRINGIFY2(x) #x
#define OPENAPS_STRINGIFY(x) OPENAPS_STRINGIFY2(x)

namespace {

struct Harness
{
    fuzz::CannedNetwork network;
    ingest::HostGate gate;
    ingest::RecordScrubber scrubber { QByteArray(32, 'k'), QStringLiteral("12345678"), QStringLiteral("both") };
    records::DataType type = *records::dataTypeFromName(QStringLiteral(OPENAPS_STRINGIFY(OPENAPS_FUZZ_TYPE)));
};

Harness *harness = nullptr;

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    fuzz::initQt();
    harness = new Harness;
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Harness &h = *harness;
    h.network.requests = 0;
    h.network.maxRequests = 6;
    h.network.answer.body = fuzz::bytes(data, size);

    ns::ClientOptions options;
    options.maxAttempts = 1;
    options.firstBackoff = std::chrono::milliseconds(0);
    options.pageSize = 8; // small pages, so the paging logic runs too
    options.maxPageSize = 32;
    // Any name "resolves" to a public address; the canned network answers.
    options.resolver = [](const QString &, QObject *, std::function<void(const QList<QHostAddress> &)> done) {
        done({ QHostAddress(QStringLiteral("93.184.216.34")) });
    };
    auto site = ns::SiteUrl::parse(QStringLiteral("https://fuzz.example.org"));
    ns::Client client(&h.network, *site, ns::Credentials::accessToken(QStringLiteral("token")), options);

    ingest::WindowReader::Inputs inputs;
    inputs.client = &client;
    inputs.gate = &h.gate;
    inputs.type = h.type;
    inputs.scrubber = &h.scrubber;
    const qint64 upTo = 1700000000000;
    auto *reader = new ingest::WindowReader(inputs, upTo - 400LL * 86400 * 1000, upTo, nullptr);
    bool finished = false;
    QObject::connect(reader, &ingest::WindowReader::finished, reader, [&finished] { finished = true; });
    reader->start();
    fuzz::spinUntil([&finished] { return finished; });

    for (auto &[month, batch] : reader->batches()) {
        const QSet<QByteArray> ids = batch.ids();
        const QByteArray gzip = batch.takeGzip();
        // The batch against itself as the file already stored.
        const ingest::MergedSegment merged = ingest::mergeSegment({ gzip }, ids, gzip);
        if (merged.records < ids.size())
            abort(); // a record of the batch went missing
    }
    delete reader;
    fuzz::drainEvents();
    return 0;
}
