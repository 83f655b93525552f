#include "releasespanel.h"

#include "exports.h"
#include "library.h"
#include "metrics/localcopies.h"
#include "researcher/apiclient.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QFormLayout>
#include <QFuture>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace openaps::desktop {

namespace {

const QString folderKey = QStringLiteral("releases/folder");

template <typename T> T *named(T *widget, const char *name)
{
    widget->setObjectName(QString::fromLatin1(name));
    return widget;
}

QString megabytes(qint64 bytes)
{
    if (bytes < 1000 * 1000)
        return QStringLiteral("%1 kB").arg(qMax<qint64>(1, (bytes + 999) / 1000));
    return QStringLiteral("%1 MB").arg(double(bytes) / 1e6, 0, 'f', 1);
}

QString rowsText(qint64 rows)
{
    return rows < 0 ? QStringLiteral("–") : QLocale().toString(rows);
}

// A release's filters in words, from its manifest.
QString releaseFilters(const QJsonObject &manifest)
{
    QStringList parts;
    const QJsonObject filters = manifest.value(QLatin1String("filters")).toObject();
    for (auto it = filters.constBegin(); it != filters.constEnd(); ++it)
        parts << QStringLiteral("%1 %2").arg(it.key(), it.value().toString());
    parts << manifest.value(QLatin1String("compression")).toString()
          << QStringLiteral("scope %1").arg(manifest.value(QLatin1String("scope")).toString());
    return parts.join(QLatin1String(", "));
}

// A release's state and rows as the list shows them: while the server builds
// it, how far it got against the rows it counted first (rows_estimate).
QString stateText(const researcher::ReleaseInfo &r)
{
    const int percent = r.percent();
    return r.isPending() && percent >= 0 ? QStringLiteral("%1 (%2 %)").arg(r.state).arg(percent) : r.state;
}

QString releaseRowsText(const researcher::ReleaseInfo &r)
{
    if (r.isPending() && r.rowsEstimate >= 0)
        return ReleasesPanel::tr("%1 of about %2").arg(rowsText(r.rows), rowsText(r.rowsEstimate));
    return rowsText(r.rows);
}

// Every column as wide as its contents but the last, which takes the rest of
// the width (resizeColumnsToContents() would size the last one too and stop
// it stretching to the window's edge).
void fitColumns(QTableWidget *table)
{
    for (int column = 0; column + 1 < table->columnCount(); ++column)
        table->resizeColumnToContents(column);
}

QStringList stringsOf(const QJsonValue &array)
{
    QStringList out;
    for (const QJsonValue v : array.toArray())
        out << (v.isString() ? v.toString() : QString::number(v.toInteger()));
    return out;
}

} // namespace

ReleasesPanel::ReleasesPanel(AppContext context, QWidget *parent)
    : QWidget(parent),
      m_context(context),
      m_datasets(named(new QListWidget, "releaseDatasets")),
      m_format(named(new QComboBox, "releaseFormat")),
      m_deflate(named(new QCheckBox(tr("Compress (deflate)")), "releaseDeflate")),
      m_folder(named(new QLineEdit, "releaseFolder")),
      m_create(named(new QPushButton(tr("Ask for a release")), "createRelease")),
      m_download(named(new QPushButton(tr("Download and check")), "downloadRelease")),
      m_cancel(named(new QPushButton(tr("Stop")), "stopRelease")),
      m_releases(named(new QTableWidget(0, 6), "serverReleases")),
      m_progress(named(new QProgressBar, "releaseProgress")),
      m_status(named(new QLabel, "releaseStatus")),
      m_library(named(new QTableWidget(0, 6), "library")),
      m_openLibrary(named(new QPushButton(tr("Open in local view")), "openLibraryItems")),
      m_withdrawals(named(new QPushButton(tr("Withdrawn participants…")), "withdrawals"))
{
    m_format->addItems({ QStringLiteral("csv"), QStringLiteral("ndjson") });
    m_deflate->setChecked(true);
    m_folder->setText(m_context.settings
                              ->value(folderKey,
                                      QDir(QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation))
                                              .filePath(QStringLiteral("OpenAPS releases")))
                              .toString());
    m_releases->setHorizontalHeaderLabels(
            { tr("Release"), tr("State"), tr("Data sets"), tr("Rows"), tr("Size"), tr("Expires") });
    m_releases->horizontalHeader()->setStretchLastSection(true);
    m_releases->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_releases->setSelectionMode(QAbstractItemView::SingleSelection);
    m_releases->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_releases->verticalHeader()->hide();
    m_status->setWordWrap(true);
    m_cancel->setEnabled(false);
    m_library->setHorizontalHeaderLabels(
            { tr("File"), tr("Data sets"), tr("Filters"), tr("Snapshot"), tr("Rows"), tr("Checked") });
    m_library->horizontalHeader()->setStretchLastSection(true);
    m_library->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_library->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_library->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_library->verticalHeader()->hide();
    addExportMenu(m_releases);
    addExportMenu(m_library);
    m_withdrawals->setToolTip(tr("Find and delete the rows of participants a release named withdrawn"));

    auto *form = new QFormLayout;
    form->addRow(tr("Data sets"), m_datasets);
    form->addRow(tr("Format"), m_format);
    form->addRow(QString(), m_deflate);
    form->addRow(tr("Folder"), m_folder);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_create);
    buttons->addWidget(m_download);
    buttons->addWidget(m_cancel);
    buttons->addStretch();
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addLayout(buttons);
    layout->addWidget(new QLabel(tr("Releases on the server")));
    layout->addWidget(m_releases, 1);
    layout->addWidget(m_progress);
    layout->addWidget(m_status);
    auto *libraryButtons = new QHBoxLayout;
    libraryButtons->addWidget(new QLabel(tr("Library: everything downloaded on this computer")));
    libraryButtons->addStretch();
    libraryButtons->addWidget(m_openLibrary);
    libraryButtons->addWidget(m_withdrawals);
    layout->addLayout(libraryButtons);
    layout->addWidget(m_library, 1);

    connect(m_create, &QPushButton::clicked, this, &ReleasesPanel::onCreate);
    connect(m_download, &QPushButton::clicked, this, &ReleasesPanel::onDownload);
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        if (m_job)
            m_job->cancel();
    });
    connect(m_folder, &QLineEdit::editingFinished, this,
            [this] { m_context.settings->setValue(folderKey, m_folder->text()); });
    connect(m_openLibrary, &QPushButton::clicked, this, &ReleasesPanel::onOpenLibraryItems);
    connect(m_library, &QTableWidget::cellDoubleClicked, this, &ReleasesPanel::onOpenLibraryItems);
    connect(m_withdrawals, &QPushButton::clicked, this, &ReleasesPanel::offerWithdrawals);
    connect(m_context.library, &Library::changed, this, &ReleasesPanel::refreshLibrary);
    refreshLibrary();
}

void ReleasesPanel::refresh()
{
    m_context.api->datasets(this, [this](const Result<QList<researcher::Dataset>> &datasets) {
        if (!datasets)
            return say(datasets.error().message, true);
        m_datasets->clear();
        for (const researcher::Dataset &d : *datasets) {
            auto *item = new QListWidgetItem(d.name, m_datasets);
            item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
            item->setCheckState(Qt::Unchecked);
        }
    });
    refreshReleases();
    refreshLibrary();
}

void ReleasesPanel::clear()
{
    if (m_job)
        m_job->cancel();
    m_datasets->clear();
    m_releases->setRowCount(0);
    say(QString());
}

void ReleasesPanel::refreshReleases()
{
    m_context.api->releases(this, [this](const Result<QList<researcher::ReleaseInfo>> &releases) {
        if (!releases)
            return say(releases.error().message, true);
        m_releases->setRowCount(0);
        for (const researcher::ReleaseInfo &r : *releases) {
            m_releases->insertRow(m_releases->rowCount());
            showRelease(m_releases->rowCount() - 1, r);
        }
        fitColumns(m_releases);
    });
}

void ReleasesPanel::showRelease(int row, const researcher::ReleaseInfo &r)
{
    const QStringList cells { QString::number(r.id),
                              stateText(r),
                              r.datasets.join(QLatin1String(", ")),
                              releaseRowsText(r),
                              r.bytes > 0 ? megabytes(r.bytes) : QString(),
                              r.expiresAt.isValid() ? r.expiresAt.toLocalTime().toString(Qt::ISODate) : QString() };
    for (int column = 0; column < cells.size(); ++column)
        m_releases->setItem(row, column, new QTableWidgetItem(cells.at(column)));
    m_releases->item(row, 0)->setData(Qt::UserRole, r.id);
}

// The list's row of the release being followed, as the job last polled it
// (a new release gets its row at the top, as the server lists newest first).
void ReleasesPanel::showFollowedRelease()
{
    const researcher::ReleaseInfo &r = m_job->release();
    for (int row = 0; row < m_releases->rowCount(); ++row) {
        if (m_releases->item(row, 0)->data(Qt::UserRole).toLongLong() == r.id) {
            showRelease(row, r);
            return fitColumns(m_releases);
        }
    }
    m_releases->insertRow(0);
    showRelease(0, r);
    fitColumns(m_releases);
}

void ReleasesPanel::refreshLibrary()
{
    const QList<LibraryItem> items = m_context.library->items();
    m_library->setRowCount(0);
    for (const LibraryItem &item : items) {
        const int row = m_library->rowCount();
        m_library->insertRow(row);
        const QString checked = !item.note.isEmpty()    ? item.note
                : item.kind == QLatin1String("release") ? (item.verified ? tr("SHA-256 as in its manifest") : tr("no"))
                                                        : (item.verified ? tr("complete") : tr("no"));
        const QStringList cells { QFileInfo(item.path).fileName(),
                                  item.datasets.join(QLatin1String(", ")),
                                  item.filters,
                                  item.snapshotAt.isValid() ? item.snapshotAt.toLocalTime().toString(Qt::ISODate)
                                                            : QString(),
                                  rowsText(item.rows),
                                  checked };
        for (int column = 0; column < cells.size(); ++column) {
            auto *cell = new QTableWidgetItem(cells.at(column));
            cell->setToolTip(column == 0 ? QDir::toNativeSeparators(item.path) : cells.at(column));
            m_library->setItem(row, column, cell);
        }
        m_library->item(row, 0)->setData(Qt::UserRole, item.path);
    }
    fitColumns(m_library);
    m_withdrawals->setEnabled(!m_context.library->withdrawn().isEmpty());
}

void ReleasesPanel::addToLibrary(const researcher::ReleaseJob &job) const
{
    const researcher::ReleaseContents &contents = job.download()->contents();
    LibraryItem item;
    item.path = job.download()->filePath();
    item.kind = QStringLiteral("release");
    item.datasets = stringsOf(contents.manifest.value(QLatin1String("datasets")));
    item.filters = releaseFilters(contents.manifest);
    item.snapshotAt = QDateTime::fromString(contents.manifest.value(QLatin1String("snapshot_at")).toString(),
                                            Qt::ISODateWithMs);
    item.rows = 0;
    for (const researcher::ReleaseFile &file : contents.files) {
        if (item.datasets.contains(QFileInfo(file.name).completeBaseName()))
            item.rows += file.rows;
    }
    item.verified = true;
    m_context.library->add(item);
}

void ReleasesPanel::onOpenLibraryItems()
{
    QStringList paths, notShown;
    for (const QModelIndex &index : m_library->selectionModel()->selectedRows()) {
        const QString path = m_library->item(index.row(), 0)->data(Qt::UserRole).toString();
        const LibraryItem *item = m_context.library->find(path);
        if (item && item->isViewable())
            paths << path;
        else
            notShown << QFileInfo(path).fileName();
    }
    if (!notShown.isEmpty())
        return say(tr("The local view shows entries, treatments, device status and profiles; %1 holds none of them.")
                           .arg(notShown.join(QLatin1String(", "))),
                   true);
    if (paths.isEmpty())
        return say(tr("Choose what to open in the library first."), true);
    emit openInLocalView(paths);
}

void ReleasesPanel::offerWithdrawals()
{
    const QStringList pseudonyms = m_context.library->withdrawn();
    if (pseudonyms.isEmpty())
        return;
    QStringList paths;
    for (const LibraryItem &item : m_context.library->items())
        paths << item.path;
    say(tr("Looking for rows of withdrawn participants (%1) in the library…")
                .arg(pseudonyms.join(QLatin1String(", "))));
    m_withdrawals->setEnabled(false);
    const QSet<QString> ids(pseudonyms.cbegin(), pseudonyms.cend());
    QtConcurrent::run([paths, ids] {
        QList<WithdrawnRows> found;
        for (const QString &path : paths) {
            const auto rows = metrics::countParticipantRows(path, ids);
            if (rows && !rows->isEmpty())
                found << WithdrawnRows { path, *rows };
        }
        return found;
    }).then(this, [this, pseudonyms](const QList<WithdrawnRows> &found) { onWithdrawnFound(pseudonyms, found); });
}

void ReleasesPanel::onWithdrawnFound(const QStringList &pseudonyms, const QList<WithdrawnRows> &found)
{
    if (found.isEmpty()) {
        m_context.library->setWithdrawn({});
        refreshLibrary();
        say(tr("No file in the library holds rows of the withdrawn participants (%1).")
                    .arg(pseudonyms.join(QLatin1String(", "))));
        emit withdrawalsDone();
        return;
    }
    refreshLibrary();
    auto *dialog = new WithdrawalDialog(pseudonyms, found, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &WithdrawalDialog::chosen, this,
            [this, pseudonyms, found](WithdrawalDialog::Choice choice) { deleteWithdrawn(pseudonyms, found, choice); });
    dialog->open();
}

void ReleasesPanel::deleteWithdrawn(const QStringList &pseudonyms, const QList<WithdrawnRows> &found,
                                    WithdrawalDialog::Choice choice)
{
    if (choice == WithdrawalDialog::Choice::Later) {
        say(tr("The rows of the withdrawn participants are still on this computer: \"Withdrawn "
               "participants…\" offers their deletion again."),
            true);
        emit withdrawalsDone();
        return;
    }
    if (choice == WithdrawalDialog::Choice::DeleteFiles) {
        QStringList failed;
        for (const WithdrawnRows &file : found) {
            if (QFile::remove(file.path))
                m_context.library->remove(file.path);
            else
                failed << QDir::toNativeSeparators(file.path);
        }
        if (failed.isEmpty())
            m_context.library->setWithdrawn({});
        refreshLibrary();
        say(failed.isEmpty()
                    ? tr("Deleted %n file(s) holding rows of withdrawn participants.", nullptr, int(found.size()))
                    : tr("Could not delete %1.").arg(failed.join(QLatin1String(", "))),
            !failed.isEmpty());
        emit withdrawalsDone();
        return;
    }
    say(tr("Deleting the rows of the withdrawn participants…"));
    const QSet<QString> ids(pseudonyms.cbegin(), pseudonyms.cend());
    QtConcurrent::run([found, ids] {
        QList<Result<qint64>> removed;
        for (const WithdrawnRows &file : found)
            removed << metrics::removeParticipantRows(file.path, ids);
        return removed;
    }).then(this, [this, found](const QList<Result<qint64>> &removed) {
        QStringList errors;
        qint64 total = 0;
        for (int i = 0; i < found.size(); ++i) {
            if (!removed[i]) {
                errors << removed[i].error().message;
                continue;
            }
            total += *removed[i];
            if (const LibraryItem *known = m_context.library->find(found[i].path)) {
                LibraryItem item = *known;
                if (item.rows >= 0)
                    item.rows = std::max<qint64>(0, item.rows - *removed[i]);
                item.verified = false;
                item.note = tr("%1 rows of withdrawn participants deleted on %2")
                                    .arg(QLocale().toString(*removed[i]), QDate::currentDate().toString(Qt::ISODate));
                m_context.library->add(item);
            }
        }
        if (errors.isEmpty())
            m_context.library->setWithdrawn({});
        refreshLibrary();
        say(errors.isEmpty()
                    ? tr("Deleted %1 rows of withdrawn participants from %n file(s).", nullptr, int(found.size()))
                              .arg(QLocale().toString(total))
                    : errors.join(QLatin1Char('\n')),
            !errors.isEmpty());
        emit withdrawalsDone();
    });
}

void ReleasesPanel::onCreate()
{
    researcher::ReleaseRequest request;
    for (int i = 0; i < m_datasets->count(); ++i) {
        if (m_datasets->item(i)->checkState() == Qt::Checked)
            request.datasets << m_datasets->item(i)->text();
    }
    if (request.datasets.isEmpty())
        return say(tr("Tick at least one data set."), true);
    request.format = m_format->currentText();
    request.deflate = m_deflate->isChecked();
    start(new researcher::ReleaseJob(m_context.api, request, m_folder->text(), this));
}

void ReleasesPanel::onDownload()
{
    const QList<QTableWidgetItem *> selected = m_releases->selectedItems();
    if (selected.isEmpty())
        return say(tr("Choose a release in the list first."), true);
    const qint64 id = m_releases->item(selected.first()->row(), 0)->data(Qt::UserRole).toLongLong();
    start(new researcher::ReleaseJob(m_context.api, id, m_folder->text(), this));
}

void ReleasesPanel::start(researcher::ReleaseJob *job)
{
    if (m_job)
        m_job->deleteLater();
    m_job = job;
    m_context.settings->setValue(folderKey, m_folder->text());
    connect(job, &researcher::ReleaseJob::progress, this, &ReleasesPanel::onProgress);
    connect(job, &researcher::ReleaseJob::finished, this, &ReleasesPanel::onFinished);
    m_create->setEnabled(false);
    m_download->setEnabled(false);
    m_cancel->setEnabled(true);
    m_progress->setRange(0, 0);
    job->start();
}

void ReleasesPanel::onProgress()
{
    if (!m_job)
        return;
    using Phase = researcher::ReleaseJob::Phase;
    const researcher::ReleaseDownload *download = m_job->download();
    switch (m_job->phase()) {
    case Phase::Asking:
        say(tr("Asking the server for a release…"));
        break;
    case Phase::Building: {
        const researcher::ReleaseInfo &r = m_job->release();
        showFollowedRelease();
        const int percent = r.percent();
        if (!r.isPending()) {
            say(tr("Release %1 is %2 on the server.").arg(r.id).arg(r.state));
        } else if (percent >= 0) {
            m_progress->setRange(0, 100);
            m_progress->setValue(percent);
            say(tr("The server is building release %1: %2 of about %3 rows (%4 %).")
                        .arg(r.id)
                        .arg(rowsText(r.rows), rowsText(r.rowsEstimate))
                        .arg(percent));
        } else {
            m_progress->setRange(0, 0); // not counted yet, or waiting its turn
            say(tr("The server is building release %1 (%2): %3 rows so far.").arg(r.id).arg(r.state, rowsText(r.rows)));
        }
        break;
    }
    case Phase::Downloading:
        if (download && download->total() > 0) {
            m_progress->setRange(0, 1000);
            m_progress->setValue(int(download->bytes() * 999 / download->total()));
            say(tr("Downloading release %1: %2 of %3.")
                        .arg(m_job->releaseId())
                        .arg(megabytes(download->bytes()), megabytes(download->total())));
        }
        break;
    case Phase::Verifying:
        m_progress->setRange(0, 0);
        say(tr("Checking release %1 against its manifest…").arg(m_job->releaseId()));
        break;
    case Phase::Done:
        break;
    }
}

void ReleasesPanel::onFinished()
{
    m_create->setEnabled(true);
    m_download->setEnabled(true);
    m_cancel->setEnabled(false);
    m_progress->setRange(0, 1000);
    if (const auto &error = m_job->error()) {
        m_progress->setValue(0);
        say(error->message, true);
    } else {
        m_progress->setValue(1000);
        say(tr("Release %1 downloaded and checked: %2 files match their SHA-256 in the manifest. Saved as %3.")
                    .arg(m_job->releaseId())
                    .arg(m_job->download()->contents().files.size())
                    .arg(QDir::toNativeSeparators(m_job->download()->filePath())));
        addToLibrary(*m_job);
        QStringList withdrawn = m_context.library->withdrawn()
                + stringsOf(m_job->download()->contents().manifest.value(QLatin1String("withdrawn_participants")));
        withdrawn.removeDuplicates();
        m_context.library->setWithdrawn(withdrawn);
        if (!withdrawn.isEmpty())
            offerWithdrawals();
    }
    refreshReleases();
    refreshLibrary();
}

void ReleasesPanel::say(const QString &text, bool isError)
{
    m_status->setText(text);
    m_status->setStyleSheet(isError ? QStringLiteral("color: #b00020;") : QString());
}

} // namespace openaps::desktop
