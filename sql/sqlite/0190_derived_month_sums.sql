-- What the derived datasets add up from each calendar month of a
-- participant's derived days (etl/derivedday.h, PeriodSums; JSON): a period
-- adds up its whole months and only the days of the months it cuts, so a
-- refresh after a new day reads a few months of days, not the history.
CREATE TABLE derived_month_sums (
    user_id BIGINT NOT NULL,
    month BIGINT NOT NULL,                 -- its first day
    sums TEXT NOT NULL,
    source_entity INTEGER,                 -- the newest of its days' (a consent change restamps it)
    PRIMARY KEY (user_id, month)
);

-- Everyone with derived days is computed in full at their next refresh,
-- which writes their month sums.
INSERT INTO derived_pending (user_id, from_ms, to_ms, everything)
SELECT DISTINCT user_id, 0, 0, 1 FROM derived_days WHERE 1 = 1
ON CONFLICT (user_id) DO UPDATE SET everything = 1;
