-- Participant self-service (issue 11, item 4): what the site knows about a
-- saved Nightscout credential, the site's canonical form for spotting one
-- site registered by two members, a hold on members erased before, and the
-- consent history.

-- Whether the participant's URL file in Open Humans carries a token or API
-- secret. Only the fact: the credential itself lives in their Open Humans
-- account alone, and the page shows it as "saved", never its value.
ALTER TABLE participants ADD COLUMN nightscout_credential_saved BOOLEAN NOT NULL DEFAULT FALSE;
-- host[:port][/path] in lower case, without scheme: equal for two members
-- who registered the same Nightscout site (the administrators are told).
ALTER TABLE participants ADD COLUMN nightscout_site TEXT;
CREATE INDEX participants_nightscout_site ON participants (nightscout_site);
-- Set when a member who was erased logs in again: nothing is copied or
-- shared (deauthorized_at is set too) until they confirm on the site.
ALTER TABLE participants ADD COLUMN rejoin_pending_at TIMESTAMPTZ;

-- Every consent choice the participant made on the site, with the version of
-- the consent text they were shown (resources/site/consent/<version>.html).
-- Erased with the participant.
CREATE TABLE consent_history (
    id BIGSERIAL PRIMARY KEY,
    participant_id BIGINT NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    changed_at TIMESTAMPTZ NOT NULL,
    consent TEXT NOT NULL,            -- openaps|nsf|both|none
    text_version TEXT NOT NULL,       -- e.g. v1
    event TEXT NOT NULL               -- saved | rejoined
);
CREATE INDEX consent_history_participant ON consent_history (participant_id, changed_at);
