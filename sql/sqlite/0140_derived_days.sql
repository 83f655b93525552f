-- The derived datasets kept up to date from the days a load touched
-- (etl/derivedtables.h): per participant and LOCAL day (days since
-- 1970-01-01) the sums a period's summary is added up from (shared/metrics'
-- Partial), the day's treatments and device status, and its readings per
-- device and per 15-minute bin of the day. Not exported.
CREATE TABLE derived_days (
    user_id BIGINT NOT NULL,
    day BIGINT NOT NULL,
    sgv_rows BIGINT NOT NULL,              -- sensor glucose rows, used or not
    readings BIGINT NOT NULL,              -- used
    dropped BIGINT NOT NULL,
    duplicates BIGINT NOT NULL,
    clamped BIGINT NOT NULL,
    first_ms BIGINT,
    last_ms BIGINT,
    very_low BIGINT NOT NULL,
    low BIGINT NOT NULL,
    in_range BIGINT NOT NULL,
    high BIGINT NOT NULL,
    very_high BIGINT NOT NULL,
    sum_mgdl REAL NOT NULL,
    sum_squares REAL NOT NULL,
    low_risk REAL NOT NULL,
    high_risk REAL NOT NULL,
    slots BIGINT NOT NULL,                 -- 5-minute slots with a reading
    closed_loop INTEGER,                   -- 1 closed, 0 open, NULL no device status
    basal_units REAL,                        -- NULL: no temp basal
    treatments INTEGER NOT NULL,           -- 1: any treatment
    bolus_units REAL NOT NULL,
    carbs REAL NOT NULL,
    devices TEXT NOT NULL,                 -- JSON: device -> [entries, first ms, last ms, readings]
    uploaders TEXT NOT NULL,               -- JSON: device status family -> rows
    glucose_bins TEXT NOT NULL,            -- "bin count sum min max;..." of 39..600 mg/dL
    source_entity INTEGER,
    PRIMARY KEY (user_id, day)
);

-- The glucose bins of each calendar month, added up from its days, so
-- that a new day costs its month and not the whole history.
CREATE TABLE derived_months (
    user_id BIGINT NOT NULL,
    month BIGINT NOT NULL,                 -- its first day
    glucose_bins TEXT NOT NULL,
    PRIMARY KEY (user_id, month)
);

-- 1: recompute everything (device names rewritten, data copied in bulk).
ALTER TABLE derived_pending ADD COLUMN everything INTEGER NOT NULL DEFAULT 0;
