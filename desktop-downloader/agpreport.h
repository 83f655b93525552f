#pragma once

#include "core/result.h"
#include "metrics/entriesanalysis.h"
#include "units.h"

#include <QStringList>

namespace openaps::desktop {

// The one-page AGP report of one participant (A4, PDF through QPdfWriter),
// in the consensus layout (Battelino et al. 2019, the IDC AGP report): the
// metrics panel, the time-in-ranges bar, the AGP percentile curves by local
// time of day and the daily profiles of the last 14 local days, glucose in
// `unit`, with the sufficiency warning when the data fall short. Every
// number is shared/metrics'. Runs on the GUI thread (it draws Qt Charts),
// and with QT_QPA_PLATFORM=offscreen without any display.
Status writeAgpReport(const metrics::ParticipantAnalysis &participant, GlucoseUnit unit, const QString &path);

// "agp_<participant>.pdf", the participant made safe for a file name.
QString agpReportFileName(const QString &participant);

// The local days of the daily profiles: the last 14 with the newest
// reading's day last, as days since 1970-01-01 (metrics::localDay).
QList<qint64> dailyProfileDays(const metrics::ParticipantAnalysis &participant);

} // namespace openaps::desktop
