-- Survey answers stored before the answers a participant types were
-- scrubbed (issue 11; survey/answerscrub.h) are scrubbed in place by
-- `openaps-server migrate` once (etl/scrubrows.h, data_rewrites 0070).
-- A database without survey answers has nothing to rewrite.
INSERT INTO data_rewrites (name, done_at)
SELECT 'scrub-survey-answers', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
WHERE NOT EXISTS (SELECT 1 FROM member_demographics);
