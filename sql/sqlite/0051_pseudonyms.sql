-- Pseudonyms for researchers (issue 11): the survey tables name a member by
-- the same column as every other research table, `user_id`, which holds the
-- member's pseudonym (privacy/participantkeys.h), never the Open Humans
-- member id. Rows written before this migration still hold member ids;
-- `openaps-server migrate` and every command that migrates at start-up (with
-- OPENAPS_SECRET_KEY set) rewrite them to pseudonyms (privacy/pseudonymize.h).
ALTER TABLE member_demographics RENAME COLUMN project_member_id TO user_id;
ALTER TABLE analytics_demographics RENAME COLUMN project_member_id TO user_id;
