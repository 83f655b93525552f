-- No identifiers in research data (issue 11): dates of birth and diagnosis
-- are kept as years only (with the other answers they could single a person
-- out). Age and years since diagnosis, and their brackets, are computed from
-- the years (analytics_demographics).
ALTER TABLE member_demographics ADD COLUMN birth_year INTEGER;
ALTER TABLE member_demographics ADD COLUMN diagnosis_year INTEGER;
UPDATE member_demographics SET birth_year = CAST(substr(date_of_birth, 1, 4) AS INTEGER), diagnosis_year = CAST(substr(first_diagnosed_date, 1, 4) AS INTEGER);
ALTER TABLE member_demographics DROP COLUMN date_of_birth;
ALTER TABLE member_demographics DROP COLUMN first_diagnosed_date;
