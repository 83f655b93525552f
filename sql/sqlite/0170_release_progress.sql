-- Release progress on every instance (issue 14): the rows a running
-- release will hold, counted in its snapshot before the first is written.
-- Its instance keeps it and row_count (the rows so far) here at each lease
-- renewal, so an instance that is not building the release shows them too.
ALTER TABLE releases ADD COLUMN row_estimate BIGINT;
