-- Ingest (issue 5): Nightscout → Open Humans. Times here are epoch
-- milliseconds (BIGINT), compared in SQL for backoff. What participants see
-- (last transfer, records per type, last error) goes to participant_status
-- and participant_type_status (0010), which the site reads.

-- Per participant and data type (entries | treatments | devicestatus |
-- profile): every Nightscout record with a time up to cursor_ms is stored in
-- the participant's Open Humans files. Advanced only after Open Humans
-- confirmed the upload. `recent` holds content hashes of the records stored
-- for the overlap window that every cycle reads again (ingest/recentdigest.h).
CREATE TABLE ingest_cursors (
    participant_id BIGINT NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    data_type TEXT NOT NULL,
    cursor_ms BIGINT NOT NULL,
    recent TEXT,
    -- records written to segment files so far; when Open Humans no longer
    -- holds any segment of the type the participant deleted them: start over
    records_stored BIGINT NOT NULL DEFAULT 0,
    updated_ms BIGINT NOT NULL,
    PRIMARY KEY (participant_id, data_type)
);

-- Per participant: exponential backoff after failures and the last outcome.
CREATE TABLE ingest_participants (
    participant_id BIGINT PRIMARY KEY REFERENCES participants (id) ON DELETE CASCADE,
    failures INTEGER NOT NULL DEFAULT 0,     -- consecutive failed runs
    next_attempt_ms BIGINT,                  -- not before this (backoff); NULL: any cycle
    last_outcome TEXT,                       -- ok | skipped | failed
    last_error_code TEXT,                    -- ingest error class, see participant_status
    runs BIGINT NOT NULL DEFAULT 0,          -- runs so far
    last_holder TEXT,                        -- server instance of the last run
    last_run_ms BIGINT
);
