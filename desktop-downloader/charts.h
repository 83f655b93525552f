#pragma once

#include "metrics/entriesanalysis.h"

#include <QPair>
#include <QStringList>

class QChart;

namespace openaps::desktop {

// The three charts of the local view, built from the metrics the core
// library computed; series and bar sets carry object names for tests. The
// glucose and AGP charts shade the target range (series "targetRange").
QChart *glucoseChart(const metrics::ParticipantAnalysis &participant);
// With less data than the consensus asks for (metrics::isSufficient), the
// AGP's title carries the warning agpWarning() gives (empty: enough data).
QChart *agpChart(const metrics::ParticipantAnalysis &participant);
QString agpWarning(const metrics::Summary &summary);
QChart *rangeChart(const metrics::Summary &summary);

// The metrics table's rows: (what, value as shown).
QList<QPair<QString, QString>> metricRows(const metrics::Summary &summary);
// The five bands in chart order, with the colours the charts use.
QStringList bandNames();

} // namespace openaps::desktop
