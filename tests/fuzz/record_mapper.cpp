// One Nightscout document as the ETL maps it to research rows (the record
// mapper; built a second time as devicestatus_mapper, for devicestatus
// documents and their loop metrics), then encoded for PostgreSQL COPY.
// Without OPENAPS_FUZZ_DEVICESTATUS the first byte picks entries,
// treatments or profile.

#include "etl/copyrow.h"
#include "etl/recordmapper.h"
#include "etl/timezonehistory.h"
#include "fuzzsupport.h"

using namespace openaps;

namespace {
etl::TimeZoneHistory *zones = nullptr;
}

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    fuzz::initQt();
    zones = new etl::TimeZoneHistory;
    zones->add(0, QStringLiteral("America/Los_Angeles"));
    zones->add(1500000000000, QStringLiteral("Europe/Berlin"));
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
#ifdef OPENAPS_FUZZ_DEVICESTATUS
    const records::DataType type = records::DataType::DeviceStatus;
#else
    if (size == 0)
        return 0;
    const records::DataType types[] = { records::DataType::Entries, records::DataType::Treatments,
                                        records::DataType::Profile };
    const records::DataType type = types[data[0] % 3];
    ++data;
    --size;
#endif
    etl::MappingContext context;
    context.userId = 1000000000000001;
    context.sourceEntity = 2;
    context.zones = zones;
    etl::RecordMapper mapper(type, context);
    if (mapper.map(fuzz::bytes(data, size)))
        return 0; // refused, with a reason
    QByteArray copy;
    etl::appendCopyRow(copy, mapper.row(), records::tableFor(type));
    if (mapper.hasMetrics())
        etl::appendCopyRow(copy, mapper.metrics(), records::deviceStatusMetricsTable());
    // One line per row: a line break inside a value would split it.
    if (copy.count('\n') != (mapper.hasMetrics() ? 2 : 1) || !copy.endsWith('\n'))
        abort();
    if (const auto &zone = mapper.profileZone()) {
        etl::TimeZoneHistory history;
        history.add(zone->first, zone->second);
        (void)history.offsetAt(zone->first);
    }
    return 0;
}
