-- Rewrites of stored rows that need the server's keys, so SQL alone cannot
-- do them; `openaps-server migrate` runs each once and records it here
-- (server processes refuse to start while one is pending).
--   scrub-identifiers: free text and device identifiers scrubbed in rows
--   loaded before the ETL scrubbed them (issue 11; privacy/scrubrows.h).
CREATE TABLE data_rewrites (
    name TEXT PRIMARY KEY,
    done_at TIMESTAMPTZ NOT NULL
);
-- A database without research rows has nothing to rewrite.
INSERT INTO data_rewrites (name, done_at)
SELECT 'scrub-identifiers', CURRENT_TIMESTAMP
WHERE NOT EXISTS (SELECT 1 FROM entries) AND NOT EXISTS (SELECT 1 FROM treatments)
  AND NOT EXISTS (SELECT 1 FROM device_status) AND NOT EXISTS (SELECT 1 FROM profile);
