-- Derived datasets (issue 13, item 1), computed by the ETL after each
-- participant's load with the desktop app's metrics (shared/metrics). A
-- participant's rows are rewritten in one transaction, so a reader sees the
-- old rows or the new ones. Days and months are the participant's LOCAL
-- calendar (UTC time + utc_offset). Periods: all, month (each calendar
-- month), last_14_days and last_90_days (ending with the day of the newest
-- reading). user_id is the pseudonym; source_entity the participant's consent.
CREATE TABLE participant_summary (
    user_id BIGINT NOT NULL,
    period TEXT NOT NULL,                  -- all | month | last_14_days | last_90_days
    period_start TEXT NOT NULL,            -- first local day (YYYY-MM-DD)
    period_end TEXT NOT NULL,              -- last local day, inclusive
    readings BIGINT NOT NULL,
    days_with_data INTEGER NOT NULL,
    first_reading TEXT,
    last_reading TEXT,
    active_cgm_percent REAL,
    very_low_percent REAL,
    low_percent REAL,
    in_range_percent REAL,
    high_percent REAL,
    very_high_percent REAL,
    mean_mgdl REAL,
    sd_mgdl REAL,
    cv_percent REAL,
    gmi_percent REAL,
    lbgi REAL,
    hbgi REAL,
    gri REAL,
    sufficient INTEGER NOT NULL,
    closed_loop_days_percent REAL,
    basal_units_per_day REAL,
    bolus_units_per_day REAL,
    carbs_grams_per_day REAL,
    main_device_group TEXT,
    main_uploader TEXT,
    source_entity INTEGER,
    seq_id INTEGER PRIMARY KEY AUTOINCREMENT,
    UNIQUE (user_id, period, period_start)
);

-- What the loads since the last computation touched (UTC ms), widened by
-- each file the ETL loads and cleared by the computation that covers it.
CREATE TABLE derived_pending (
    user_id BIGINT PRIMARY KEY,
    from_ms BIGINT NOT NULL,
    to_ms BIGINT NOT NULL
);
