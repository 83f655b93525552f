// A file as found in a participant's Open Humans account: NDJSON or one
// JSON array, plain or gzip (members concatenated), read record by record
// as the ETL reads it, then merged as the ingest merges an existing segment.

#include "fuzzsupport.h"
#include "ingest/segment.h"
#include "records/ndjsonreader.h"

#include <QBuffer>

using namespace openaps;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray input = fuzz::bytes(data, size);
    QBuffer buffer;
    buffer.setData(input);
    buffer.open(QIODevice::ReadOnly);
    // A small record limit, so the too-long path is reached with small inputs.
    records::NdjsonReader reader(&buffer, 4096);
    qint64 lastLine = 0;
    while (auto record = reader.next()) {
        if (record->line < lastLine || record->bytes.contains('\0'))
            abort(); // lines go forward; NUL bytes never come out
        lastLine = record->line;
    }
    if (reader.bytesRead() > input.size())
        abort();
    (void)ingest::mergeSegment({ input }, {}, {});
    return 0;
}
