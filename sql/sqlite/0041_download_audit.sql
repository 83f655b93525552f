-- Researcher API (data export): one row per download. Holds no participant
-- data: the filters keep times and HOW MANY participants were asked for,
-- never their ids (so erasure has nothing to remove here).
CREATE TABLE download_audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    researcher_id BIGINT NOT NULL,
    dataset TEXT NOT NULL,
    filters TEXT NOT NULL,                 -- JSON: from, to, participants (a count), gzip
    format TEXT NOT NULL,                  -- csv | ndjson
    row_count BIGINT NOT NULL DEFAULT 0,   -- rows sent
    byte_count BIGINT NOT NULL DEFAULT 0,  -- body bytes sent (compressed when gzip)
    started_at TEXT NOT NULL,
    finished_at TEXT,
    outcome TEXT NOT NULL                  -- complete | aborted | failed
);
CREATE INDEX download_audit_started ON download_audit (started_at);
