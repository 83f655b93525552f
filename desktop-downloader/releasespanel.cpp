#include "releasespanel.h"

#include "researcher/apiclient.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QTableWidget>
#include <QVBoxLayout>

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
      m_library(named(new QListWidget, "library"))
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
    layout->addWidget(new QLabel(tr("Checked releases in the folder")));
    layout->addWidget(m_library);

    connect(m_create, &QPushButton::clicked, this, &ReleasesPanel::onCreate);
    connect(m_download, &QPushButton::clicked, this, &ReleasesPanel::onDownload);
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        if (m_job)
            m_job->cancel();
    });
    connect(m_folder, &QLineEdit::editingFinished, this, [this] {
        m_context.settings->setValue(folderKey, m_folder->text());
        refreshLibrary();
    });
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
            const int row = m_releases->rowCount();
            m_releases->insertRow(row);
            const QStringList cells { QString::number(r.id),
                                      r.state,
                                      r.datasets.join(QLatin1String(", ")),
                                      QString::number(r.rows),
                                      r.bytes > 0 ? megabytes(r.bytes) : QString(),
                                      r.expiresAt.isValid() ? r.expiresAt.toLocalTime().toString(Qt::ISODate)
                                                            : QString() };
            for (int column = 0; column < cells.size(); ++column)
                m_releases->setItem(row, column, new QTableWidgetItem(cells.at(column)));
            m_releases->item(row, 0)->setData(Qt::UserRole, r.id);
        }
    });
}

void ReleasesPanel::refreshLibrary()
{
    m_library->clear();
    const QDir folder(m_folder->text());
    for (const QFileInfo &file : folder.entryInfoList({ QStringLiteral("release-*.zip") }, QDir::Files, QDir::Name))
        m_library->addItem(QStringLiteral("%1 (%2)").arg(file.fileName(), megabytes(file.size())));
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
    case Phase::Building:
        m_progress->setRange(0, 0);
        say(tr("The server is building release %1 (%2): %3 rows so far.")
                    .arg(m_job->releaseId())
                    .arg(m_job->release().state)
                    .arg(m_job->release().rows));
        break;
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
