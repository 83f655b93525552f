-- What the ETL has loaded: one row per Open Humans file per participant, so a
-- cycle fetches only files that are new or changed (id, name, size, created).
CREATE TABLE etl_files (
    participant_id BIGINT NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    file_id TEXT NOT NULL,                 -- Open Humans file id
    basename TEXT NOT NULL,
    data_type TEXT NOT NULL,               -- entries | treatments | devicestatus | profile
    size BIGINT,
    created TIMESTAMPTZ,                   -- Open Humans creation time
    status TEXT NOT NULL,                  -- loaded | failed
    records BIGINT NOT NULL DEFAULT 0,
    rows_new BIGINT NOT NULL DEFAULT 0,
    rows_updated BIGINT NOT NULL DEFAULT 0,
    rows_duplicate BIGINT NOT NULL DEFAULT 0,
    bad_lines BIGINT NOT NULL DEFAULT 0,
    bad_line_report TEXT,                  -- "line 12: not JSON; ..." (never line content)
    error TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    loaded_at TIMESTAMPTZ,
    PRIMARY KEY (participant_id, file_id)
);

-- The consent the research rows were last stamped with, and the last cycle.
CREATE TABLE etl_participants (
    participant_id BIGINT PRIMARY KEY REFERENCES participants (id) ON DELETE CASCADE,
    consent TEXT,                          -- openaps | nsf | both | none
    last_cycle_at TIMESTAMPTZ,
    last_success_at TIMESTAMPTZ,
    last_error TEXT
);

-- Time-range look-ups per participant (loop type per day, analytics, export).
CREATE INDEX entries_user_date ON entries (user_id, "date");
