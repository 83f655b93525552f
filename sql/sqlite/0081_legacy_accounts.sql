-- Researcher accounts copied from the old portal by migrate-legacy (issue
-- 17): its usage counters are kept as they were, beside this system's own
-- records (download_audit, api_tokens). NULL for accounts made here.
ALTER TABLE researchers ADD COLUMN legacy_login_count INTEGER;
ALTER TABLE researchers ADD COLUMN legacy_last_login_ms BIGINT;
ALTER TABLE researchers ADD COLUMN legacy_downloads INTEGER;
ALTER TABLE researchers ADD COLUMN legacy_download_mb REAL;   -- MiB, as the old portal summed them
