#include "downloadpanel.h"

#include "library.h"
#include "researcher/apiclient.h"
#include "researcher/downloadjob.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateEdit>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QStandardPaths>
#include <QTimeZone>

namespace openaps::desktop {

namespace {
const QString folderKey = QStringLiteral("download/folder");

template <typename W> W *named(W *widget, const char *name)
{
    widget->setObjectName(QString::fromLatin1(name));
    return widget;
}
} // namespace

DownloadPanel::DownloadPanel(AppContext context, QWidget *parent)
    : QWidget(parent),
      m_context(context),
      m_datasets(named(new QListWidget, "datasets")),
      m_limitDates(named(new QCheckBox(tr("Only from")), "limitDates")),
      m_from(named(new QDateEdit, "from")),
      m_to(named(new QDateEdit, "to")),
      m_participants(named(new QLineEdit, "participants")),
      m_format(named(new QComboBox, "format")),
      m_gzip(named(new QCheckBox(tr("Compress (gzip)")), "gzip")),
      m_spreadsheetSafe(named(new QCheckBox(tr("Safe to open in a spreadsheet (text that would run as a formula "
                                               "starts with ')")),
                              "spreadsheetSafe")),
      m_folder(named(new QLineEdit, "folder")),
      m_download(named(new QPushButton(tr("Download")), "download")),
      m_cancel(named(new QPushButton(tr("Cancel")), "cancel")),
      m_openLocal(named(new QPushButton(tr("Show in local view")), "openLocal")),
      m_progress(named(new QProgressBar, "progress")),
      m_status(named(new QLabel, "status"))
{
    const QDate today = QDate::currentDate();
    for (QDateEdit *edit : { m_from, m_to }) {
        edit->setCalendarPopup(true);
        edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd"));
        edit->setEnabled(false);
    }
    m_from->setDate(today.addMonths(-3));
    m_to->setDate(today);
    m_participants->setPlaceholderText(tr("All participants, or ids separated by commas"));
    m_format->addItem(tr("CSV (spreadsheets, R, pandas)"), QStringLiteral("csv"));
    m_format->addItem(tr("NDJSON (one JSON record per line)"), QStringLiteral("ndjson"));
    m_folder->setText(
            m_context.settings->value(folderKey, QStandardPaths::writableLocation(QStandardPaths::DownloadLocation))
                    .toString());
    // On by default: a researcher double-clicks a CSV into a spreadsheet,
    // where a cell a participant's uploader filled with =... would run.
    m_spreadsheetSafe->setChecked(true);
    m_status->setWordWrap(true);
    m_cancel->setEnabled(false);
    m_openLocal->setEnabled(false);
    m_progress->setRange(0, 100);
    m_progress->setValue(0);

    auto *dates = new QHBoxLayout;
    dates->addWidget(m_limitDates);
    dates->addWidget(m_from);
    dates->addWidget(new QLabel(tr("to (including)")));
    dates->addWidget(m_to);
    auto *folderRow = new QHBoxLayout;
    auto *browse = named(new QPushButton(tr("Choose…")), "browse");
    folderRow->addWidget(m_folder);
    folderRow->addWidget(browse);
    auto *count = named(new QPushButton(tr("Count rows")), "count");
    auto *actions = new QHBoxLayout;
    actions->addWidget(m_download);
    actions->addWidget(m_cancel);
    actions->addWidget(count);
    actions->addStretch();
    actions->addWidget(m_openLocal);

    auto *form = new QFormLayout(this);
    form->addRow(tr("Data set"), m_datasets);
    form->addRow(tr("Dates (UTC)"), dates);
    form->addRow(tr("Participants"), m_participants);
    form->addRow(tr("Format"), m_format);
    form->addRow(QString(), m_gzip);
    form->addRow(QString(), m_spreadsheetSafe);
    form->addRow(tr("Save in folder"), folderRow);
    form->addRow(actions);
    form->addRow(m_progress);
    form->addRow(m_status);

    connect(m_format, &QComboBox::currentIndexChanged, this,
            [this] { m_spreadsheetSafe->setEnabled(m_format->currentData().toString() == QLatin1String("csv")); });
    connect(m_limitDates, &QCheckBox::toggled, m_from, &QWidget::setEnabled);
    connect(m_limitDates, &QCheckBox::toggled, m_to, &QWidget::setEnabled);
    connect(m_download, &QPushButton::clicked, this, &DownloadPanel::onDownload);
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        if (m_job)
            m_job->cancel();
    });
    connect(count, &QPushButton::clicked, this, &DownloadPanel::onCount);
    connect(browse, &QPushButton::clicked, this, &DownloadPanel::onBrowse);
    connect(m_openLocal, &QPushButton::clicked, this, [this] { emit openInLocalView(m_lastFile); });
}

void DownloadPanel::say(const QString &text, bool isError)
{
    m_status->setText(text);
    m_status->setStyleSheet(isError ? QStringLiteral("color: #b00020;") : QString());
}

void DownloadPanel::refresh()
{
    say(tr("Asking the server for its data sets…"));
    m_context.api->datasets(this, [this](Result<QList<researcher::Dataset>> r) {
        if (!r)
            return say(r.error().message, true);
        const QString previous = m_datasets->currentItem() ? m_datasets->currentItem()->text()
                                                           : QStringLiteral("entries");
        m_datasets->clear();
        for (const researcher::Dataset &d : std::as_const(*r)) {
            auto *item = new QListWidgetItem(d.name, m_datasets);
            QStringList columns;
            for (const auto &c : d.columns)
                columns << c.name;
            item->setToolTip(tr("Columns: %1").arg(columns.join(QLatin1String(", "))));
            item->setData(Qt::UserRole, d.timeColumn); // empty: no time column, dates do not apply
            if (d.name == previous)
                m_datasets->setCurrentItem(item);
        }
        if (!m_datasets->currentItem() && m_datasets->count() > 0)
            m_datasets->setCurrentRow(0);
        say(tr("%n data set(s) available. Choose one and press Download.", nullptr, int(r->size())));
    });
}

void DownloadPanel::clear()
{
    if (m_job)
        m_job->cancel();
    m_datasets->clear();
    say({});
}

void DownloadPanel::setParticipants(const QStringList &ids)
{
    m_participants->setText(ids.join(QLatin1String(", ")));
}

std::optional<researcher::ExportFilter> DownloadPanel::filter()
{
    if (!m_datasets->currentItem()) {
        say(tr("Please choose a data set first."), true);
        return std::nullopt;
    }
    researcher::ExportFilter f;
    f.dataset = m_datasets->currentItem()->text();
    f.format = m_format->currentData().toString();
    f.gzip = m_gzip->isChecked();
    f.spreadsheetSafe = m_spreadsheetSafe->isChecked() && f.format == QLatin1String("csv");
    const bool hasTime = !m_datasets->currentItem()->data(Qt::UserRole).toString().isEmpty();
    if (m_limitDates->isChecked() && hasTime) {
        if (m_to->date() < m_from->date()) {
            say(tr("The end date is before the start date."), true);
            return std::nullopt;
        }
        f.from = m_from->date().startOfDay(QTimeZone::utc());
        f.to = m_to->date().addDays(1).startOfDay(QTimeZone::utc()); // the API's `to` is exclusive
    }
    static const QRegularExpression separators(QStringLiteral("[,;\\s]+"));
    static const QRegularExpression number(QStringLiteral("^\\d+$"));
    const QStringList ids = m_participants->text().split(separators, Qt::SkipEmptyParts);
    for (const QString &id : ids) {
        if (!number.match(id).hasMatch()) {
            say(tr("\"%1\" is not a participant id: ids are numbers, separated by commas.").arg(id), true);
            return std::nullopt;
        }
    }
    f.participants = ids;
    return f;
}

void DownloadPanel::onCount()
{
    const auto f = filter();
    if (!f)
        return;
    say(tr("Counting…"));
    m_context.api->count(*f, this, [this](Result<qint64> r) {
        say(r ? tr("%1 rows match these filters.").arg(QLocale().toString(*r)) : r.error().message, !r);
    });
}

void DownloadPanel::onDownload()
{
    if (m_job)
        return;
    const auto f = filter();
    if (!f)
        return;
    const QString folder = m_folder->text().trimmed();
    if (folder.isEmpty())
        return say(tr("Please choose the folder to save the file in."), true);
    m_context.settings->setValue(folderKey, folder);
    m_job = m_context.api->download(*f, QDir::cleanPath(folder), this);
    connect(m_job, &researcher::DownloadJob::progress, this, &DownloadPanel::onProgress);
    connect(m_job, &researcher::DownloadJob::finished, this, &DownloadPanel::onFinished);
    m_download->setEnabled(false);
    m_cancel->setEnabled(true);
    m_openLocal->setEnabled(false);
    m_progress->setRange(0, 100);
    m_progress->setValue(0);
    say(tr("Starting the download…"));
    m_job->start();
}

void DownloadPanel::onProgress()
{
    if (!m_job || m_job->isFinished())
        return;
    const int percent = m_job->percent();
    if (percent < 0)
        m_progress->setRange(0, 0); // busy: the size is not known ahead
    else
        m_progress->setValue(percent);
    const QLocale locale;
    const QString size = locale.formattedDataSize(m_job->bytes());
    if (m_job->rows() >= 0 && m_job->rowsEstimate() >= 0)
        say(tr("%1 of about %2 rows (%3)")
                    .arg(locale.toString(m_job->rows()), locale.toString(m_job->rowsEstimate()), size));
    else
        say(tr("%1 received").arg(size));
}

void DownloadPanel::onFinished()
{
    researcher::DownloadJob *job = m_job;
    m_job = nullptr;
    job->deleteLater();
    m_download->setEnabled(true);
    m_cancel->setEnabled(false);
    m_progress->setRange(0, 100);
    if (job->error()) {
        m_progress->setValue(0);
        return say(job->error()->message, job->error()->code != QLatin1String("cancelled"));
    }
    m_progress->setValue(100);
    m_lastFile = job->filePath();
    m_context.library->add(Library::itemOf(*job));
    const QLocale locale;
    const QString rows = job->rows() >= 0 ? tr("%1 rows, ").arg(locale.toString(job->rows())) : QString();
    say(tr("Done: %1%2 saved as %3")
                .arg(rows, locale.formattedDataSize(job->bytes()), QDir::toNativeSeparators(m_lastFile)));
    const LibraryItem *item = m_context.library->find(m_lastFile);
    m_openLocal->setEnabled(item && item->isViewable());
}

void DownloadPanel::onBrowse()
{
    // open() instead of exec(): no nested event loop while the dialog is up.
    auto *dialog = new QFileDialog(this, tr("Save downloads in"), m_folder->text());
    dialog->setFileMode(QFileDialog::Directory);
    dialog->setOption(QFileDialog::ShowDirsOnly);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &dir) { m_folder->setText(dir); });
    dialog->open();
}

} // namespace openaps::desktop
