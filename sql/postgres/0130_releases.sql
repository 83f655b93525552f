-- Releases (issue 14): a researcher's bundle of datasets written from one
-- snapshot into a zip file (api/release). The file lives in the release
-- directory (OPENAPS_RELEASE_DIR) until it expires. `query` holds the
-- filters as the streamed export's query string; `participants` the
-- pseudonyms the release held, for the next release's withdrawn list.
CREATE TABLE releases (
    id BIGSERIAL PRIMARY KEY,
    researcher_id BIGINT NOT NULL,
    datasets TEXT NOT NULL,                -- comma separated
    query TEXT NOT NULL,                   -- format, from, to, participants
    compression TEXT NOT NULL,             -- deflate | store
    scope TEXT NOT NULL,                   -- the researcher's scope when asked
    state TEXT NOT NULL,                   -- queued | running | ready | failed | cancelled | expired
    row_count BIGINT NOT NULL DEFAULT 0,
    byte_count BIGINT NOT NULL DEFAULT 0,  -- size of the zip
    sha256 TEXT,                           -- of the zip, hex
    participants TEXT,                     -- JSON array of the pseudonyms in it
    error TEXT,
    created_at TEXT NOT NULL,
    finished_at TEXT,
    expires_at TEXT
);
CREATE INDEX releases_researcher ON releases (researcher_id, id);
