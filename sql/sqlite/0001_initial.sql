-- SQLite dialect: times are ISO-8601 UTC text ("2024-01-31T12:00:00.000Z").
-- Participants and the research tables (the old system's columns plus raw_json,
-- source_entity, UTC time and the participant's UTC offset in minutes).

CREATE TABLE participants (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    member_id TEXT NOT NULL UNIQUE,               -- Open Humans project_member_id
    access_token_enc TEXT,                        -- libsodium secretbox, base64
    refresh_token_enc TEXT,
    token_expires_at TEXT,
    registered_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    deauthorized_at TEXT
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
    seq_id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL,
    id TEXT,
    sgv REAL,
    direction TEXT,
    device TEXT,
    type TEXT,
    rssi REAL,
    rawbg REAL,
    trend TEXT,
    glucose REAL,
    mbg REAL,
    delta REAL,
    filtered REAL,
    unfiltered REAL,
    noise REAL,
    "scale" REAL,
    slope REAL,
    intercept REAL,
    system_time TEXT,
    source_entity INTEGER REFERENCES source_entities (id),
    raw_json TEXT,
    "date" TEXT,
    utc_offset INTEGER
);
CREATE UNIQUE INDEX entries_user_nsid ON entries (user_id, id);
CREATE UNIQUE INDEX entries_user_type_date ON entries (user_id, type, "date");

CREATE TABLE treatments (
    seq_id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL,
    id TEXT,
    event_type TEXT,
    "timestamp" TEXT,
    insulin REAL,
    carbs REAL,
    protein REAL,
    fat REAL,
    glucose REAL,
    glucose_type TEXT,
    food_type TEXT,
    temp TEXT,
    rate REAL,
    duration REAL,
    units TEXT,
    amount REAL,
    absolute REAL,
    medtronic TEXT,
    type TEXT,
    absorption_time REAL,
    unabsorbed REAL,
    ratio REAL,
    target_top REAL,
    target_bottom REAL,
    fixed REAL,
    programmed TEXT,
    reason TEXT,
    notes TEXT,
    entered_by TEXT,
    source_entity INTEGER REFERENCES source_entities (id),
    raw_json TEXT,
    created_at TEXT,
    utc_offset INTEGER
);
CREATE UNIQUE INDEX treatments_user_nsid ON treatments (user_id, id);
CREATE INDEX treatments_user_created ON treatments (user_id, created_at);

CREATE TABLE device_status (
    seq_id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL,
    id TEXT,
    device TEXT,
    pump_id TEXT,
    pump_bolusing INTEGER,
    pump_suspended INTEGER,
    pump_model TEXT,
    loop_cob REAL,
    loop_iob REAL,
    loop_version TEXT,
    loop_failure_reason TEXT,
    snooze TEXT,
    override_active INTEGER,
    source_entity INTEGER REFERENCES source_entities (id),
    raw_json TEXT,
    created_at TEXT,
    utc_offset INTEGER
);
CREATE UNIQUE INDEX device_status_user_nsid ON device_status (user_id, id);
CREATE INDEX device_status_user_created ON device_status (user_id, created_at);

CREATE TABLE device_status_metrics (
    seq_id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL,
    device_status_id TEXT,
    iob_iob REAL,
    iob_activity REAL,
    iob_basal_iob REAL,
    iob_bolus_iob REAL,
    iob_net_basal_insulin REAL,
    iob_bolus_insulin REAL,
    iob_timestamp TEXT,
    suggested_temp TEXT,
    suggested_bg REAL,
    suggested_tick TEXT,
    suggested_eventual_bg REAL,
    suggested_insulin_req REAL,
    suggested_reservoir REAL,
    suggested_cob REAL,
    suggested_iob REAL,
    enacted_temp TEXT,
    enacted_bg REAL,
    enacted_tick TEXT,
    enacted_eventual_bg REAL,
    enacted_insulin_req REAL,
    enacted_reservoir TEXT,
    enacted_cob REAL,
    enacted_iob REAL,
    enacted_duration REAL,
    enacted_rate REAL,
    enacted_timestamp TEXT,
    source_entity INTEGER REFERENCES source_entities (id),
    created_at TEXT,
    utc_offset INTEGER
);
CREATE UNIQUE INDEX device_status_metrics_user_dsid ON device_status_metrics (user_id, device_status_id);

CREATE TABLE profile (
    seq_id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL,
    id TEXT,
    default_profile TEXT,
    mills BIGINT,
    units TEXT,
    timezone TEXT,
    start_date TEXT,
    source_entity INTEGER REFERENCES source_entities (id),
    raw_json TEXT,
    created_at TEXT,
    utc_offset INTEGER
);
CREATE UNIQUE INDEX profile_user_nsid ON profile (user_id, id);

CREATE TABLE member_demographics (
    seq_id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts TEXT,
    project_member_id BIGINT,
    date_of_birth TEXT,
    gender TEXT,
    ethnicity TEXT,
    country TEXT,
    first_diagnosed_date TEXT,
    first_insulin_pump_date TEXT,
    first_glucose_monitor_date TEXT,
    first_diy_closed_loop_date TEXT,
    diy_closed_loop_type TEXT,
    who_uses_the_closed_loop_system TEXT,
    weight TEXT,
    height TEXT,
    insulin_units_per_day REAL,
    basal_insulin_units_per_day REAL,
    carb_grams_per_day REAL,
    last_lab_reported_a1c REAL,
    last_lab_reported_a1c_date TEXT,
    survey TEXT,
    inserted_ts TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_ts TEXT,
    UNIQUE (project_member_id, ts)
);
