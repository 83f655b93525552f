#pragma once

#include "core/result.h"

#include <QSize>

class QAbstractItemModel;
class QAbstractItemView;
class QChart;
class QChartView;
class QPainter;
class QRectF;

namespace openaps::desktop {

// Every chart leaves the app as PNG or SVG (by the file's suffix) at the
// size it is shown, every table as CSV (RFC 4180, UTF-8, header row).
Status saveChartImage(QChartView *view, const QString &path);
// A chart that is in no view (reports, the command line), at `size` pixels.
Status saveChartImage(QChart *chart, const QString &path, QSize size);
Status saveTableCsv(const QAbstractItemModel &model, const QString &path);

// Draws `chart` (in no view) into `target` of `painter`: vector output on a
// PDF or SVG painter.
void paintChart(QChart *chart, QPainter &painter, const QRectF &target);

// A context menu on the view ("Save as PNG…", "Save as SVG…" / "Save as
// CSV…") that asks for a file and reports failures in a message box.
void addExportMenu(QChartView *view);
void addExportMenu(QAbstractItemView *view);

} // namespace openaps::desktop
