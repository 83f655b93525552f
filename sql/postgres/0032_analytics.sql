-- Derived analytics, refreshed by the ETL after each participant's load. A
-- participant's rows are replaced inside one transaction, so readers see the
-- old rows or the new ones, never an empty table. Times are the participant's
-- LOCAL time (UTC time + utc_offset), unlike the old dashboards (UTC).

-- Sensor glucose by time of day: 96 fifteen-minute bins (bin 0 = 00:00-00:15).
CREATE TABLE analytics_glucose_time_of_day (
    user_id BIGINT NOT NULL,
    bin INTEGER NOT NULL,
    bin_start TEXT NOT NULL,               -- "HH:MM"
    readings BIGINT NOT NULL,
    mean_mgdl DOUBLE PRECISION,
    mean_mmol DOUBLE PRECISION,             -- mg/dL / 18.01559
    min_mgdl DOUBLE PRECISION,
    max_mgdl DOUBLE PRECISION,
    source_entity INTEGER,
    PRIMARY KEY (user_id, bin)
);

-- Open or closed loop per participant and local day.
CREATE TABLE analytics_loop_type_by_day (
    user_id BIGINT NOT NULL,
    day DATE NOT NULL,
    loop_type TEXT NOT NULL,               -- closed loop | open loop
    device_status_rows BIGINT NOT NULL,
    source_entity INTEGER,
    PRIMARY KEY (user_id, day)
);

-- CGM/uploader devices per participant, grouped (xDrip, Libre, Dexcom, ...).
CREATE TABLE analytics_device_groups (
    user_id BIGINT NOT NULL,
    device TEXT NOT NULL,
    device_group TEXT NOT NULL,
    entries BIGINT NOT NULL,
    first_seen TIMESTAMPTZ,
    last_seen TIMESTAMPTZ,
    source_entity INTEGER,
    PRIMARY KEY (user_id, device)
);

-- Survey answers cleaned: country names normalised, height in cm, weight in
-- kg, age and years since diagnosis with brackets. Rebuilt as a whole.
CREATE TABLE analytics_demographics (
    seq_id BIGINT PRIMARY KEY,             -- member_demographics.seq_id
    project_member_id BIGINT,
    ts TIMESTAMPTZ,
    survey TEXT,
    gender TEXT,
    ethnicity TEXT,
    country TEXT,
    country_corrected TEXT,
    height_cm DOUBLE PRECISION,
    weight_kg DOUBLE PRECISION,
    age_years INTEGER,
    age_bracket TEXT,
    years_since_diagnosed INTEGER,
    years_since_diagnosed_bracket TEXT,
    diy_closed_loop_type TEXT,
    who_uses_the_closed_loop_system TEXT,
    insulin_units_per_day DOUBLE PRECISION,
    basal_insulin_units_per_day DOUBLE PRECISION,
    carb_grams_per_day DOUBLE PRECISION,
    last_lab_reported_a1c DOUBLE PRECISION
);
CREATE INDEX analytics_demographics_member ON analytics_demographics (project_member_id);
