#pragma once

#include "db/database.h"
#include "privacy/participantkeys.h"

#include <QHttpServerRequest>
#include <QHttpServerResponse>

namespace openaps::site {

// POST /deauth, Open Humans' deauthorisation webhook. Verifies the signature
// when a secret is configured (401 when missing or wrong), accepts single-
// and double-encoded JSON, then erases the member everywhere when erasure was
// requested, or else stops their transfers. Answers small JSON quickly;
// never says whether the member was known.
QHttpServerResponse handleDeauthWebhook(const db::Database &database, const privacy::ParticipantKeys &keys,
                                        const QByteArray &secret, const QHttpServerRequest &request);

} // namespace openaps::site
