-- `openaps-server migrate-legacy` (issue 17): how far the copy from the old
-- Data Commons database got, so that a killed run resumes where it stopped and
-- a second run adds nothing, and what became of every row read, so that the
-- report covers all runs. Positions are the old tables' own keys (seq_id, id);
-- reasons are plain words, never a row's content.
CREATE TABLE legacy_migration (
    source_table TEXT PRIMARY KEY,          -- e.g. openaps.entries
    last_key BIGINT NOT NULL,               -- every row up to this key is done
    updated_at TEXT NOT NULL
);

CREATE TABLE legacy_migration_counts (
    source_table TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('copied', 'skipped', 'bad')),
    reason TEXT NOT NULL,                   -- '' for copied rows
    rows_count BIGINT NOT NULL,
    PRIMARY KEY (source_table, outcome, reason)
);

-- The consent a migrated member's research rows are stamped with: the
-- `sharing_consent` of their newest old record (the old ingester wrote the
-- consent file's word into every record it uploaded). Erased with the member.
CREATE TABLE legacy_member_consent (
    participant_id BIGINT PRIMARY KEY REFERENCES participants (id) ON DELETE CASCADE,
    consent TEXT NOT NULL,                  -- openaps|nsf|both|none
    record_ms BIGINT NOT NULL               -- the time of the record that said so
);
