-- Participant leases shared by the scheduled jobs (ETL, ingest): a row says
-- which server instance (holder) works on a participant for a job until
-- expires_at. A holder that dies simply stops renewing; once expires_at has
-- passed any instance may claim the participant again.
CREATE TABLE job_leases (
    job TEXT NOT NULL,
    participant_id BIGINT NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    holder TEXT,
    expires_at TEXT,
    last_started_at TEXT,
    last_finished_at TEXT,
    last_ok INTEGER,
    PRIMARY KEY (job, participant_id)
);
CREATE INDEX job_leases_due ON job_leases (job, last_finished_at);
