-- The Open Humans project's master access token (OPENAPS_OH_MASTER_TOKEN,
-- server/jobs/mastertoken.h) as the ETL and ingest last found it: one row,
-- read by /healthz and /metrics on every instance whatever its roles. Master
-- tokens expire after 24 hours unless the project turns expiry off, and an
-- expired one must never stop the loading silently. The token is not stored.
CREATE TABLE oh_master_token_status (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    state TEXT NOT NULL,              -- ok | expired | refused
    members INTEGER NOT NULL DEFAULT 0, -- project members the last good listing found
    checked_ms BIGINT NOT NULL        -- epoch milliseconds
);
