-- Participant site (issue 4): server-side sessions, POST rate limits, an
-- audit log without personal data, what the site last saved for a participant,
-- and the transfer status that the ingest job writes and the site shows.

-- Display copies of what the participant last saved through the site. The
-- Nightscout URL with its token or secret lives only in the participant's
-- Open Humans account; here we keep the address without any credential, so
-- the page can say what is saved and fill in the form again.
ALTER TABLE participants ADD COLUMN nightscout_url TEXT;
ALTER TABLE participants ADD COLUMN sharing_consent TEXT;     -- openaps|nsf|both|none
ALTER TABLE participants ADD COLUMN site_saved_at TEXT;
-- How many Nightscout URL files the participant's Open Humans account held at
-- the last login (the old system could leave several); the page explains.
ALTER TABLE participants ADD COLUMN oh_url_file_count INTEGER NOT NULL DEFAULT 0;

-- One row per browser session. The cookie value is never stored, only its
-- keyed hash, so a copy of the database cannot be used to log in.
-- participant_id is NULL until the Open Humans login completes.
CREATE TABLE site_sessions (
    id_hash TEXT PRIMARY KEY,
    participant_id BIGINT REFERENCES participants (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    oauth_state TEXT,                 -- pending login's state, single use
    created_ms BIGINT NOT NULL,       -- epoch milliseconds
    seen_ms BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL
);
CREATE INDEX site_sessions_expires ON site_sessions (expires_ms);
CREATE INDEX site_sessions_participant ON site_sessions (participant_id);

-- Fixed-window POST counters per client; bucket is a keyed hash of the
-- address, so no IP address is stored.
CREATE TABLE site_rate_limits (
    bucket TEXT NOT NULL,
    window_ms BIGINT NOT NULL,
    hits INTEGER NOT NULL,
    PRIMARY KEY (bucket, window_ms)
);

-- What happened, never to whom: no member ids, hosts, addresses or tokens.
CREATE TABLE site_audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    event TEXT NOT NULL,              -- e.g. participant.erased
    detail TEXT                       -- JSON: counts and flags only
);

-- Written by the ingest job after every participant run; read by the site's
-- status panel. last_error_code is the ingest error class (unreachable,
-- not_nightscout, needs_token, token_rejected, oh_revoked, oh_unavailable,
-- no_url, consent_none, internal); the site turns it into plain words and
-- falls back to last_error_message (plain words, never a URL or token).
CREATE TABLE participant_status (
    participant_id BIGINT PRIMARY KEY REFERENCES participants (id) ON DELETE CASCADE,
    last_attempt_at TEXT,
    last_success_at TEXT,             -- last run that finished without error
    last_error_code TEXT,             -- NULL after a successful run
    last_error_message TEXT,
    last_error_at TEXT,
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- Records moved to Open Humans per data type (entries, treatments,
-- devicestatus, profile), totals since registration.
CREATE TABLE participant_type_status (
    participant_id BIGINT NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    data_type TEXT NOT NULL,
    records_moved BIGINT NOT NULL DEFAULT 0,
    last_moved_at TEXT,
    PRIMARY KEY (participant_id, data_type)
);
