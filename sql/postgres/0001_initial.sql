-- Participants and the research tables (the old system's columns plus raw_json,
-- source_entity, UTC time and the participant's UTC offset in minutes).

CREATE TABLE participants (
    id BIGSERIAL PRIMARY KEY,
    member_id TEXT NOT NULL UNIQUE,               -- Open Humans project_member_id
    access_token_enc TEXT,                        -- libsodium secretbox, base64
    refresh_token_enc TEXT,
    token_expires_at TIMESTAMPTZ,
    registered_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    deauthorized_at TIMESTAMPTZ
);

CREATE TABLE source_entities (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL
);
INSERT INTO source_entities (id, name) VALUES
    (0, 'OpenAPS Data Commons'),
    (1, 'Nightscout Data Commons'),
    (2, 'OpenAPS and Nightscout Data Commons');

CREATE TABLE entries (
    seq_id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL,
    id TEXT,
    sgv DOUBLE PRECISION,
    direction TEXT,
    device TEXT,
    type TEXT,
    rssi DOUBLE PRECISION,
    rawbg DOUBLE PRECISION,
    trend TEXT,
    glucose DOUBLE PRECISION,
    mbg DOUBLE PRECISION,
    delta DOUBLE PRECISION,
    filtered DOUBLE PRECISION,
    unfiltered DOUBLE PRECISION,
    noise DOUBLE PRECISION,
    "scale" DOUBLE PRECISION,
    slope DOUBLE PRECISION,
    intercept DOUBLE PRECISION,
    system_time TEXT,
    source_entity INTEGER REFERENCES source_entities (id),
    raw_json JSONB,
    "date" TIMESTAMPTZ,
    utc_offset INTEGER
);
CREATE UNIQUE INDEX entries_user_nsid ON entries (user_id, id);
CREATE UNIQUE INDEX entries_user_type_date ON entries (user_id, type, "date");

CREATE TABLE treatments (
    seq_id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL,
    id TEXT,
    event_type TEXT,
    "timestamp" TIMESTAMPTZ,
    insulin DOUBLE PRECISION,
    carbs DOUBLE PRECISION,
    protein DOUBLE PRECISION,
    fat DOUBLE PRECISION,
    glucose DOUBLE PRECISION,
    glucose_type TEXT,
    food_type TEXT,
    temp TEXT,
    rate DOUBLE PRECISION,
    duration DOUBLE PRECISION,
    units TEXT,
    amount DOUBLE PRECISION,
    absolute DOUBLE PRECISION,
    medtronic TEXT,
    type TEXT,
    absorption_time DOUBLE PRECISION,
    unabsorbed DOUBLE PRECISION,
    ratio DOUBLE PRECISION,
    target_top DOUBLE PRECISION,
    target_bottom DOUBLE PRECISION,
    fixed DOUBLE PRECISION,
    programmed TEXT,
    reason TEXT,
    notes TEXT,
    entered_by TEXT,
    source_entity INTEGER REFERENCES source_entities (id),
    raw_json JSONB,
    created_at TIMESTAMPTZ,
    utc_offset INTEGER
);
CREATE UNIQUE INDEX treatments_user_nsid ON treatments (user_id, id);
CREATE INDEX treatments_user_created ON treatments (user_id, created_at);

CREATE TABLE device_status (
    seq_id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL,
    id TEXT,
    device TEXT,
    pump_id TEXT,
    pump_bolusing BOOLEAN,
    pump_suspended BOOLEAN,
    pump_model TEXT,
    loop_cob DOUBLE PRECISION,
    loop_iob DOUBLE PRECISION,
    loop_version TEXT,
    loop_failure_reason TEXT,
    snooze TEXT,
    override_active BOOLEAN,
    source_entity INTEGER REFERENCES source_entities (id),
    raw_json JSONB,
    created_at TIMESTAMPTZ,
    utc_offset INTEGER
);
CREATE UNIQUE INDEX device_status_user_nsid ON device_status (user_id, id);
CREATE INDEX device_status_user_created ON device_status (user_id, created_at);

CREATE TABLE device_status_metrics (
    seq_id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL,
    device_status_id TEXT,
    iob_iob DOUBLE PRECISION,
    iob_activity DOUBLE PRECISION,
    iob_basal_iob DOUBLE PRECISION,
    iob_bolus_iob DOUBLE PRECISION,
    iob_net_basal_insulin DOUBLE PRECISION,
    iob_bolus_insulin DOUBLE PRECISION,
    iob_timestamp TIMESTAMPTZ,
    suggested_temp TEXT,
    suggested_bg DOUBLE PRECISION,
    suggested_tick TEXT,
    suggested_eventual_bg DOUBLE PRECISION,
    suggested_insulin_req DOUBLE PRECISION,
    suggested_reservoir DOUBLE PRECISION,
    suggested_cob DOUBLE PRECISION,
    suggested_iob DOUBLE PRECISION,
    enacted_temp TEXT,
    enacted_bg DOUBLE PRECISION,
    enacted_tick TEXT,
    enacted_eventual_bg DOUBLE PRECISION,
    enacted_insulin_req DOUBLE PRECISION,
    enacted_reservoir TEXT,
    enacted_cob DOUBLE PRECISION,
    enacted_iob DOUBLE PRECISION,
    enacted_duration DOUBLE PRECISION,
    enacted_rate DOUBLE PRECISION,
    enacted_timestamp TIMESTAMPTZ,
    source_entity INTEGER REFERENCES source_entities (id),
    created_at TIMESTAMPTZ,
    utc_offset INTEGER
);
CREATE UNIQUE INDEX device_status_metrics_user_dsid ON device_status_metrics (user_id, device_status_id);

CREATE TABLE profile (
    seq_id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL,
    id TEXT,
    default_profile TEXT,
    mills BIGINT,
    units TEXT,
    timezone TEXT,
    start_date TIMESTAMPTZ,
    source_entity INTEGER REFERENCES source_entities (id),
    raw_json JSONB,
    created_at TIMESTAMPTZ,
    utc_offset INTEGER
);
CREATE UNIQUE INDEX profile_user_nsid ON profile (user_id, id);

CREATE TABLE member_demographics (
    seq_id BIGSERIAL PRIMARY KEY,
    ts TIMESTAMPTZ,
    project_member_id BIGINT,
    date_of_birth DATE,
    gender TEXT,
    ethnicity TEXT,
    country TEXT,
    first_diagnosed_date DATE,
    first_insulin_pump_date DATE,
    first_glucose_monitor_date DATE,
    first_diy_closed_loop_date DATE,
    diy_closed_loop_type TEXT,
    who_uses_the_closed_loop_system TEXT,
    weight TEXT,
    height TEXT,
    insulin_units_per_day DOUBLE PRECISION,
    basal_insulin_units_per_day DOUBLE PRECISION,
    carb_grams_per_day DOUBLE PRECISION,
    last_lab_reported_a1c DOUBLE PRECISION,
    last_lab_reported_a1c_date DATE,
    survey TEXT,
    inserted_ts TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_ts TIMESTAMPTZ,
    UNIQUE (project_member_id, ts)
);
