#pragma once

#include "core/result.h"
#include "legacy/legacymembers.h"
#include "records/datatype.h"

namespace openaps::legacy {

// The old research tables in the order they are copied: profiles first, so
// that their time zones give the other records a UTC offset, as in the ETL.
struct ResearchSource
{
    const char *table; // openaps.<name>
    records::DataType type;
};
const std::vector<ResearchSource> &researchSources();

struct RowsContext
{
    MemberContext members;
    MemberDirectory *directory = nullptr;
    qint64 batchRows = 20000; // rows per committed batch and progress line
};

// Copies one old research table's rows after the recorded position, in
// seq_id order (no sort on the old server: its primary key's order), a
// batch at a time. Each row's raw_json, the complete Nightscout record, goes
// the ETL's way: the keys the old pipeline added (user_id: the member id;
// source_entity) are dropped, free text and device names are scrubbed as
// the ingest scrubs them (ingest::RecordScrubber), and the ETL's RecordMapper
// (which scrubs what research may not receive, privacy/recordscrub.h)
// makes the row (typed columns, UTC time, local offset, synthetic ids) under
// the member's pseudonym and consent; the ETL's BulkWriter stores it,
// de-duplicating on the table's keys, a batch of many members' rows at a
// time. A member erased meanwhile is found by a tombstone check after each
// batch commits; their rows are removed again and no more are written. The
// typed columns of the old row are not read: they are a
// partial projection of raw_json.
Result<TableCounts> copyResearchRows(const RowsContext &context, const ResearchSource &source);

// device_status_metrics is not read: the ETL rebuilds it from each
// device_status record. Its old rows are counted as skipped for that reason.
Result<TableCounts> countOldMetrics(const MemberContext &context);

} // namespace openaps::legacy
