-- Per-account limits of the researcher API (server/api/accountguard.h):
-- codes issued and failed code and password attempts per hour, and the
-- lockout with back-off after too many failures. No participant data.
CREATE TABLE researcher_limits (
    researcher_id BIGINT NOT NULL REFERENCES researchers (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('code-issued', 'code-failed', 'password-failed')),
    window_start_ms BIGINT NOT NULL,  -- the hour being counted started here
    hits INTEGER NOT NULL,
    locked_until_ms BIGINT NOT NULL DEFAULT 0,
    lockouts INTEGER NOT NULL DEFAULT 0,  -- since the last success: the back-off
    PRIMARY KEY (researcher_id, kind)
);

-- Several live codes per researcher and purpose: a new code (asked for by
-- anyone who knows the address) must not cancel the one the researcher holds.
ALTER TABLE researcher_codes DROP CONSTRAINT researcher_codes_pkey;
ALTER TABLE researcher_codes ADD COLUMN id BIGSERIAL PRIMARY KEY;
CREATE INDEX researcher_codes_owner ON researcher_codes (researcher_id, purpose);
