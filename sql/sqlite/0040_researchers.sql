-- Researcher API accounts (README, "Researcher API (accounts)"): researchers who apply for
-- access, the one-time email codes that confirm an address or reset a
-- password, and the bearer tokens a login hands out. No participant data:
-- erasure skips these tables (server/site/erasure.cpp). Times are epoch
-- milliseconds, as in site_sessions, so expiry compares the same everywhere.

-- email is stored trimmed and lower-cased by the API; the unique index on
-- lower(email) keeps two spellings of one address apart even if a hand-made
-- row slips in with capitals.
CREATE TABLE researchers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    institution TEXT NOT NULL,
    purpose TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,      -- argon2id, encoded ("$argon2id$v=19$...")
    status TEXT NOT NULL DEFAULT 'unverified'
        CHECK (status IN ('unverified', 'pending', 'approved', 'rejected', 'deactivated')),
    scope TEXT CHECK (scope IN ('openaps', 'nsf', 'all')),  -- set at approval
    is_admin INTEGER NOT NULL DEFAULT 0,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    verified_ms BIGINT,               -- email confirmed
    approved_ms BIGINT,
    approved_by BIGINT REFERENCES researchers (id) ON DELETE SET NULL  -- NULL: the CLI
);
CREATE UNIQUE INDEX researchers_email ON researchers (lower(email));
CREATE INDEX researchers_status ON researchers (status);

-- One live code per researcher and purpose; a new one replaces the old.
-- Only a keyed hash of the 6-digit code is kept.
CREATE TABLE researcher_codes (
    researcher_id BIGINT NOT NULL REFERENCES researchers (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL CHECK (purpose IN ('verify', 'reset')),
    code_hash TEXT NOT NULL,
    attempts_left INTEGER NOT NULL,
    created_ms BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL,
    PRIMARY KEY (researcher_id, purpose)
);

-- Bearer tokens: the token itself is never stored, only its keyed hash.
CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    researcher_id BIGINT NOT NULL REFERENCES researchers (id) ON DELETE CASCADE,
    created_ms BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL,
    last_used_ms BIGINT,
    revoked_ms BIGINT
);
CREATE INDEX api_tokens_researcher ON api_tokens (researcher_id);
CREATE INDEX api_tokens_expires ON api_tokens (expires_ms);
