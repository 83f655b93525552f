-- Deauthorisation webhooks already acted on (server/site/deauthendpoint.cpp):
-- the signature of each accepted notice, kept until its timestamp could no
-- longer pass the freshness check, so a captured request cannot be replayed.
-- No participant data: a signature is an HMAC of the body.
CREATE TABLE site_webhook_deliveries (
    signature TEXT PRIMARY KEY,
    expires_ms BIGINT NOT NULL
);
CREATE INDEX site_webhook_deliveries_expires ON site_webhook_deliveries (expires_ms);
