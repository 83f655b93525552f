#pragma once

#include "core/result.h"

#include <QHash>
#include <QSet>
#include <QString>

namespace openaps::metrics {

// Participants' rows in the researcher's local copies: a download (CSV or
// NDJSON, plain or gzip) or a release zip (every data set file in it that
// has a user_id column). For the pseudonyms a release's manifest lists as
// withdrawn, whose rows the researcher must delete (README "Releases").
// Heavy: call them off the GUI thread.

// How many rows each of `participants` has in the file (only those with rows).
Result<QHash<QString, qint64>> countParticipantRows(const QString &path, const QSet<QString> &participants);

// Writes the file again without the rows of `participants`, in the same
// format and compression (gzip stays gzip; in a zip each file keeps its
// method, deflate or stored, and the other files are copied as they are),
// through QSaveFile: on any error the file stays as it was. A file without
// such rows is not touched. Returns the rows removed.
Result<qint64> removeParticipantRows(const QString &path, const QSet<QString> &participants);

} // namespace openaps::metrics
