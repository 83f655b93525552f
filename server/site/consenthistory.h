#pragma once

#include "core/result.h"
#include "db/database.h"

#include <QDateTime>
#include <QList>
#include <QString>

namespace openaps::site {

// One consent choice, as the participant made it on the site.
struct ConsentChange
{
    QDateTime at;
    QString consent; // openaps|nsf|both|none
    QString textVersion; // the consent text shown (ConsentTexts), e.g. v1
    QString event; // saved: the form was saved; rejoined: confirmed after an erasure
};

namespace consentevent {
inline const QString saved = QStringLiteral("saved");
inline const QString rejoined = QStringLiteral("rejoined");
} // namespace consentevent

// The consent_history table: appended to on every saved choice, listed on the
// participant's page and in their download, erased with them.
Status recordConsentChange(const db::Database &database, qint64 participantId, const ConsentChange &change);
// Newest first.
Result<QList<ConsentChange>> consentHistory(const db::Database &database, qint64 participantId);

} // namespace openaps::site
