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
    period_start DATE NOT NULL,            -- first local day (YYYY-MM-DD)
    period_end DATE NOT NULL,              -- last local day, inclusive
    readings BIGINT NOT NULL,
    days_with_data INTEGER NOT NULL,
    first_reading TIMESTAMPTZ,
    last_reading TIMESTAMPTZ,
    active_cgm_percent DOUBLE PRECISION,
    very_low_percent DOUBLE PRECISION,
    low_percent DOUBLE PRECISION,
    in_range_percent DOUBLE PRECISION,
    high_percent DOUBLE PRECISION,
    very_high_percent DOUBLE PRECISION,
    mean_mgdl DOUBLE PRECISION,
    sd_mgdl DOUBLE PRECISION,
    cv_percent DOUBLE PRECISION,
    gmi_percent DOUBLE PRECISION,
    lbgi DOUBLE PRECISION,
    hbgi DOUBLE PRECISION,
    gri DOUBLE PRECISION,
    sufficient BOOLEAN NOT NULL,
    closed_loop_days_percent DOUBLE PRECISION,
    basal_units_per_day DOUBLE PRECISION,
    bolus_units_per_day DOUBLE PRECISION,
    carbs_grams_per_day DOUBLE PRECISION,
    main_device_group TEXT,
    main_uploader TEXT,
    source_entity INTEGER,
    seq_id BIGSERIAL PRIMARY KEY,
    UNIQUE (user_id, period, period_start)
);

-- What the loads since the last computation touched (UTC ms), widened by
-- each file the ETL loads and cleared by the computation that covers it.
CREATE TABLE derived_pending (
    user_id BIGINT PRIMARY KEY,
    from_ms BIGINT NOT NULL,
    to_ms BIGINT NOT NULL
);
