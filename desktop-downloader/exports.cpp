#include "exports.h"

#include <QAbstractItemView>
#include <QChart>
#include <QChartView>
#include <QFileDialog>
#include <QGraphicsScene>
#include <QImage>
#include <QMenu>
#include <QMessageBox>
#include <QPainter>
#include <QSaveFile>
#include <QSvgGenerator>

namespace openaps::desktop {

namespace {

bool isSvg(const QString &path)
{
    return path.endsWith(QLatin1String(".svg"), Qt::CaseInsensitive);
}

// Paints with `draw` into a PNG or SVG file of `size` pixels.
Status saveImage(const QString &path, QSize size, const std::function<void(QPainter &, const QRectF &)> &draw)
{
    const QRectF target(QPointF(0, 0), QSizeF(size));
    if (isSvg(path)) {
        QSvgGenerator svg;
        svg.setFileName(path);
        svg.setSize(size);
        svg.setViewBox(target);
        svg.setTitle(QStringLiteral("OpenAPS Data Commons chart"));
        QPainter painter;
        if (!painter.begin(&svg))
            return makeError("unwritable", QStringLiteral("%1 could not be written.").arg(path));
        draw(painter, target);
        painter.end();
        return {};
    }
    QImage image(size, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    draw(painter, target);
    painter.end();
    if (!image.save(path, "PNG"))
        return makeError("unwritable", QStringLiteral("%1 could not be written.").arg(path));
    return {};
}

QByteArray csvField(const QString &text)
{
    QByteArray bytes = text.toUtf8();
    if (bytes.contains(',') || bytes.contains('"') || bytes.contains('\n') || bytes.contains('\r'))
        bytes = '"' + bytes.replace('"', "\"\"") + '"';
    return bytes;
}

void warn(QWidget *parent, const Status &status)
{
    if (!status)
        QMessageBox::warning(parent, QObject::tr("Export"), status.error().message);
}

void askForFile(QWidget *parent, const QString &title, const QString &filter, const QString &suffix,
                const std::function<Status(const QString &)> &save)
{
    auto *dialog = new QFileDialog(parent, title, QString(), filter);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setDefaultSuffix(suffix);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    QObject::connect(dialog, &QFileDialog::fileSelected, parent,
                     [parent, save](const QString &path) { warn(parent, save(path)); });
    dialog->open();
}

} // namespace

void paintChart(QChart *chart, QPainter &painter, const QRectF &target)
{
    QGraphicsScene scene;
    scene.addItem(chart);
    chart->setGeometry(QRectF(QPointF(0, 0), target.size()));
    scene.setSceneRect(chart->geometry());
    scene.render(&painter, target, scene.sceneRect());
    scene.removeItem(chart); // the caller still owns it
}

Status saveChartImage(QChartView *view, const QString &path)
{
    return saveImage(path, view->size(),
                     [view](QPainter &painter, const QRectF &target) { view->render(&painter, target, view->rect()); });
}

Status saveChartImage(QChart *chart, const QString &path, QSize size)
{
    return saveImage(path, size,
                     [chart](QPainter &painter, const QRectF &target) { paintChart(chart, painter, target); });
}

Status saveTableCsv(const QAbstractItemModel &model, const QString &path)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return makeError("unwritable", QStringLiteral("%1 could not be written: %2").arg(path, file.errorString()));
    QByteArray out;
    const auto line = [&](int count, const std::function<QString(int)> &text) {
        for (int c = 0; c < count; ++c) {
            if (c > 0)
                out += ',';
            out += csvField(text(c));
        }
        out += "\r\n";
    };
    line(model.columnCount(), [&](int c) { return model.headerData(c, Qt::Horizontal).toString(); });
    for (int r = 0; r < model.rowCount(); ++r) {
        line(model.columnCount(), [&](int c) { return model.index(r, c).data().toString(); });
        if (out.size() > (1 << 20)) {
            file.write(out);
            out.clear();
        }
    }
    file.write(out);
    if (!file.commit())
        return makeError("unwritable", QStringLiteral("%1 could not be written: %2").arg(path, file.errorString()));
    return {};
}

void addExportMenu(QChartView *view)
{
    view->setContextMenuPolicy(Qt::CustomContextMenu);
    QObject::connect(view, &QWidget::customContextMenuRequested, view, [view](const QPoint &at) {
        auto *menu = new QMenu(view);
        menu->setAttribute(Qt::WA_DeleteOnClose);
        menu->addAction(QObject::tr("Save as PNG…"), view, [view] {
            askForFile(view, QObject::tr("Save the chart as PNG"), QObject::tr("PNG images (*.png)"),
                       QStringLiteral("png"), [view](const QString &path) { return saveChartImage(view, path); });
        });
        menu->addAction(QObject::tr("Save as SVG…"), view, [view] {
            askForFile(view, QObject::tr("Save the chart as SVG"), QObject::tr("SVG images (*.svg)"),
                       QStringLiteral("svg"), [view](const QString &path) { return saveChartImage(view, path); });
        });
        menu->popup(view->mapToGlobal(at));
    });
}

void addExportMenu(QAbstractItemView *view)
{
    view->setContextMenuPolicy(Qt::CustomContextMenu);
    QObject::connect(view, &QWidget::customContextMenuRequested, view, [view](const QPoint &at) {
        auto *menu = new QMenu(view);
        menu->setAttribute(Qt::WA_DeleteOnClose);
        menu->addAction(QObject::tr("Save as CSV…"), view, [view] {
            askForFile(view, QObject::tr("Save the table as CSV"), QObject::tr("CSV files (*.csv)"),
                       QStringLiteral("csv"),
                       [view](const QString &path) { return saveTableCsv(*view->model(), path); });
        });
        menu->popup(view->mapToGlobal(at));
    });
}

} // namespace openaps::desktop
