-- The old system's researcher application, kept (issue 17, item 3): what its
-- form asked besides name, institution and the description of the research
-- (purpose), the terms of use accepted (resources/api/terms/, the version
-- and when), and the administrator's reason for a rejection, which is also
-- emailed. Accounts from before this migration keep empty values.
ALTER TABLE researchers ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE researchers ADD COLUMN irb_approval TEXT NOT NULL DEFAULT '';         -- yes | no | unsure
ALTER TABLE researchers ADD COLUMN irb_details TEXT NOT NULL DEFAULT '';          -- board, protocol number, date
ALTER TABLE researchers ADD COLUMN sponsor_organisation TEXT NOT NULL DEFAULT '';
ALTER TABLE researchers ADD COLUMN requested_scope TEXT;                          -- openaps | nsf | all
ALTER TABLE researchers ADD COLUMN terms_version TEXT;
ALTER TABLE researchers ADD COLUMN terms_accepted_ms BIGINT;
ALTER TABLE researchers ADD COLUMN rejection_reason TEXT;
