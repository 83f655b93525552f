-- Releases across server instances (issue 14): the instance building a
-- release holds it with a lease it renews (owner, lease_until); another
-- instance takes over a release whose lease ran out (its instance stopped)
-- and builds it again, at most three times (attempts).
ALTER TABLE releases ADD COLUMN owner TEXT;
ALTER TABLE releases ADD COLUMN lease_until TEXT;
ALTER TABLE releases ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
