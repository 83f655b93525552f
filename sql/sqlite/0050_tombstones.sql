-- Erasure that sticks (issue 11): one row per erased member, holding a keyed
-- hash of the member id (privacy/participantkeys.h), never the id itself.
-- Every writer of participant data checks it, so nothing an erased member
-- shared comes back (a later ETL cycle, a survey import, a bulk import). The
-- row goes only when the member logs in again and confirms sharing anew.
CREATE TABLE participant_tombstones (
    tombstone TEXT PRIMARY KEY,
    erased_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
