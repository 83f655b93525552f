-- Data quality (issue 13, item 1), computed by the ETL with participant_summary
-- (migration 0100), per participant (pseudonym) and LOCAL day: readings
-- expected and received, gaps, duplicates dropped, values clamped or not
-- numbers, bad lines of the files, first and last reading, uploader.
CREATE TABLE data_quality (
    user_id BIGINT NOT NULL,
    day DATE NOT NULL,                     -- local day (YYYY-MM-DD)
    readings_expected INTEGER NOT NULL,
    readings_received INTEGER NOT NULL,
    gaps_over_30_min INTEGER NOT NULL,
    longest_gap_minutes DOUBLE PRECISION,
    duplicates_dropped BIGINT NOT NULL,
    values_clamped INTEGER NOT NULL,
    values_not_numbers INTEGER NOT NULL,
    bad_lines BIGINT NOT NULL,
    first_record TIMESTAMPTZ,
    last_record TIMESTAMPTZ,
    uploader TEXT,
    source_entity INTEGER,
    seq_id BIGSERIAL PRIMARY KEY,
    UNIQUE (user_id, day)
);

-- What each loaded file held per local day: sensor readings delivered and
-- bad lines (by the day of the record before them); replaced when the file
-- is loaded again. day: days since 1970-01-01. Not exported.
CREATE TABLE derived_file_days (
    user_id BIGINT NOT NULL,
    file TEXT NOT NULL,
    day BIGINT NOT NULL,
    readings BIGINT NOT NULL,
    bad_lines BIGINT NOT NULL,
    PRIMARY KEY (user_id, file, day)
);
