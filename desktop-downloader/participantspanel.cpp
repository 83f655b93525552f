#include "participantspanel.h"

#include "exports.h"
#include "library.h"
#include "participantfilter.h"
#include "researcher/apiclient.h"
#include "researcher/downloadjob.h"
#include "units.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateEdit>
#include <QDir>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QSettings>
#include <QStandardItemModel>
#include <QStandardPaths>
#include <QTableView>
#include <QTimeZone>
#include <QTimer>
#include <QVBoxLayout>

#include <string_view>

namespace openaps::desktop {

namespace {

// The summary's figure shown in each column from Readings on.
struct FigureColumn
{
    const char *title;
    const char *column; // participant_summary's
    int decimals;
};
const FigureColumn figureColumns[] = {
    { QT_TRANSLATE_NOOP("ParticipantsPanel", "Readings"), "readings", 0 },
    { QT_TRANSLATE_NOOP("ParticipantsPanel", "Mean"), "mean_mgdl", 0 }, // in the unit shown
    { QT_TRANSLATE_NOOP("ParticipantsPanel", "In range 70–180 %"), "in_range_percent", 1 },
    { QT_TRANSLATE_NOOP("ParticipantsPanel", "Below 70 %"), nullptr, 1 }, // very low + low
    { QT_TRANSLATE_NOOP("ParticipantsPanel", "CV %"), "cv_percent", 1 },
    { QT_TRANSLATE_NOOP("ParticipantsPanel", "GMI %"), "gmi_percent", 1 },
    { QT_TRANSLATE_NOOP("ParticipantsPanel", "CGM active %"), "active_cgm_percent", 1 },
};

QStandardItem *item(const QString &text, const QVariant &sortValue)
{
    auto *i = new QStandardItem(text);
    i->setData(sortValue, Qt::UserRole);
    i->setEditable(false);
    return i;
}

QStandardItem *numberItem(std::optional<double> value, int decimals)
{
    if (!value)
        return item(QStringLiteral("–"), QVariant(-1.0)); // no data sorts first
    auto *i = item(QLocale().toString(*value, 'f', decimals), *value);
    i->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return i;
}

std::optional<double> figure(const researcher::ParticipantSummary *s, const char *name)
{
    if (!s)
        return std::nullopt;
    const auto it = s->figures.constFind(QLatin1String(name));
    return it == s->figures.constEnd() ? std::nullopt : std::optional<double>(*it);
}

template <typename W> W *named(W *widget, const char *name)
{
    widget->setObjectName(QString::fromLatin1(name));
    return widget;
}

} // namespace

ParticipantsPanel::ParticipantsPanel(AppContext context, QWidget *parent)
    : QWidget(parent),
      m_context(context),
      m_consent(named(new QComboBox, "consentFilter")),
      m_sufficiency(named(new QComboBox, "sufficiencyFilter")),
      m_limitDates(named(new QCheckBox(tr("With data from")), "limitDates")),
      m_from(named(new QDateEdit, "from")),
      m_to(named(new QDateEdit, "to")),
      m_search(named(new QLineEdit, "search")),
      m_refresh(named(new QPushButton(tr("Refresh")), "refresh")),
      m_download(named(new QPushButton(tr("Download selected…")), "downloadSelected")),
      m_openLocal(named(new QPushButton(tr("Open selected in local view")), "openSelected")),
      m_table(named(new QTableView, "participants")),
      m_count(named(new QLabel, "count")),
      m_status(named(new QLabel, "status")),
      m_model(new QStandardItemModel(0, ColumnCount, this)),
      m_filter(new ParticipantFilter({ Id, Consent, FirstData, LastData, Sufficient }, this))
{
    m_consent->addItem(tr("Any consent group"), QString());
    for (const char *consent : { "openaps", "nsf", "both" })
        m_consent->addItem(QString::fromLatin1(consent), QString::fromLatin1(consent));
    m_sufficiency->addItem(tr("Any amount of data"), int(ParticipantFilter::Sufficiency::Any));
    m_sufficiency->addItem(tr("Sufficient (≥ 14 days, ≥ 70 % CGM)"), int(ParticipantFilter::Sufficiency::Sufficient));
    m_sufficiency->addItem(tr("Not sufficient"), int(ParticipantFilter::Sufficiency::NotSufficient));
    const QDate today = QDate::currentDate();
    for (QDateEdit *edit : { m_from, m_to }) {
        edit->setCalendarPopup(true);
        edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd"));
        edit->setEnabled(false);
    }
    m_from->setDate(today.addYears(-1));
    m_to->setDate(today);
    m_search->setPlaceholderText(tr("Participant id contains…"));
    m_status->setWordWrap(true);

    QStringList titles { tr("Participant"),        tr("Consent"),        tr("First reading (UTC)"),
                         tr("Last reading (UTC)"), tr("Days with data"), tr("Sufficient") };
    for (const FigureColumn &c : figureColumns)
        titles << tr(c.title);
    m_titles = titles;
    m_model->setHorizontalHeaderLabels(titles);
    m_filter->setSourceModel(m_model);
    m_table->setModel(m_filter);
    m_table->setSortingEnabled(true);
    addExportMenu(m_table);
    m_table->sortByColumn(Id, Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setResizeContentsPrecision(50); // measuring 1,000 rows would hold the window up
    m_table->setAlternatingRowColors(true);
    m_download->setEnabled(false);
    m_openLocal->setEnabled(false);

    auto *filters = new QHBoxLayout;
    filters->addWidget(m_consent);
    filters->addWidget(m_sufficiency);
    filters->addWidget(m_limitDates);
    filters->addWidget(m_from);
    filters->addWidget(new QLabel(tr("to (including)")));
    filters->addWidget(m_to);
    filters->addWidget(m_search, 1);
    filters->addWidget(m_refresh);
    auto *actions = new QHBoxLayout;
    actions->addWidget(m_count, 1);
    actions->addWidget(m_download);
    actions->addWidget(m_openLocal);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(filters);
    layout->addWidget(m_table, 1);
    layout->addLayout(actions);
    layout->addWidget(m_status);

    connect(m_refresh, &QPushButton::clicked, this, &ParticipantsPanel::refresh);
    connect(m_consent, &QComboBox::currentIndexChanged, this, &ParticipantsPanel::applyFilter);
    connect(m_sufficiency, &QComboBox::currentIndexChanged, this, &ParticipantsPanel::applyFilter);
    connect(m_limitDates, &QCheckBox::toggled, this, &ParticipantsPanel::applyFilter);
    connect(m_from, &QDateEdit::dateChanged, this, &ParticipantsPanel::applyFilter);
    connect(m_to, &QDateEdit::dateChanged, this, &ParticipantsPanel::applyFilter);
    connect(m_search, &QLineEdit::textChanged, this, &ParticipantsPanel::applyFilter);
    connect(m_limitDates, &QCheckBox::toggled, m_from, &QWidget::setEnabled);
    connect(m_limitDates, &QCheckBox::toggled, m_to, &QWidget::setEnabled);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &ParticipantsPanel::updateCount);
    connect(m_filter, &QAbstractItemModel::rowsInserted, this, &ParticipantsPanel::updateCount);
    connect(m_filter, &QAbstractItemModel::rowsRemoved, this, &ParticipantsPanel::updateCount);
    connect(m_filter, &QAbstractItemModel::modelReset, this, &ParticipantsPanel::updateCount);
    connect(m_filter, &QAbstractItemModel::layoutChanged, this, &ParticipantsPanel::updateCount);
    connect(m_download, &QPushButton::clicked, this, [this] { emit downloadRequested(selectedIds()); });
    connect(m_openLocal, &QPushButton::clicked, this, &ParticipantsPanel::onOpenLocal);
    if (m_context.units) // the mean in the unit shown: the list again from the answers at hand
        connect(m_context.units, &Units::changed, this, [this] {
            if (!m_loading && !m_participants.isEmpty())
                fill(m_participants, m_summaries);
        });
    updateCount();
}

GlucoseUnit ParticipantsPanel::unit() const
{
    return m_context.units ? m_context.units->unit() : GlucoseUnit::MgDl;
}

void ParticipantsPanel::say(const QString &text, bool isError)
{
    m_status->setText(text);
    m_status->setStyleSheet(isError ? QStringLiteral("color: #b00020;") : QString());
}

void ParticipantsPanel::clear()
{
    ++m_generation;
    m_build.reset();
    m_participants.clear();
    m_summaries.clear();
    m_loading = false;
    if (m_job)
        m_job->cancel();
    m_model->removeRows(0, m_model->rowCount());
    m_refresh->setEnabled(true);
    say({});
}

void ParticipantsPanel::refresh()
{
    const quint64 generation = ++m_generation;
    m_build.reset();
    m_loading = true;
    m_refresh->setEnabled(false);
    say(tr("Asking the server for the participants in your scope…"));
    const auto failed = [this](const Error &error) {
        m_loading = false;
        m_refresh->setEnabled(true);
        say(error.message, true);
        emit refreshed();
    };
    m_context.api->participants(this, [this, generation, failed](Result<QList<researcher::Participant>> list) {
        if (generation != m_generation)
            return;
        if (!list)
            return failed(list.error());
        say(tr("%n participant(s); asking for their summaries…", nullptr, int(list->size())));
        m_context.api->participantSummaries(
                this,
                [this, generation, failed, list = *list](Result<QList<researcher::ParticipantSummary>> summaries) {
                    if (generation != m_generation)
                        return;
                    if (!summaries)
                        return failed(summaries.error());
                    say(tr("%n participant(s); building the list…", nullptr, int(list.size())));
                    m_participants = list;
                    m_summaries = *summaries;
                    fill(m_participants, m_summaries);
                });
    });
}

// The rows go into a model of their own, 200 per turn of the event loop (a
// thousand participants are 13,000 items), which then replaces the shown
// one in a single step: the table sorts and measures once, and the window
// never waits.
void ParticipantsPanel::fill(const QList<researcher::Participant> &participants,
                             const QList<researcher::ParticipantSummary> &summaries)
{
    m_build = std::make_unique<Build>();
    m_build->participants = participants;
    for (const auto &s : summaries)
        m_build->summaries.insert(s.userId, s);
    m_build->model = new QStandardItemModel(0, ColumnCount, this);
    QStringList titles = m_titles;
    titles[Mean] += QLatin1Char(' ') + unitName(unit());
    m_build->model->setHorizontalHeaderLabels(titles);
    QTimer::singleShot(0, this, &ParticipantsPanel::buildSome);
}

ParticipantsPanel::Build::~Build()
{
    delete model;
}

void ParticipantsPanel::buildSome()
{
    if (!m_build)
        return; // cleared meanwhile
    Build &b = *m_build;
    const qsizetype end = std::min(b.participants.size(), b.next + 200), total = b.participants.size();
    for (; b.next < end; ++b.next)
        b.model->appendRow(rowOf(b.participants[b.next], b.summaries.value(b.participants[b.next].userId)));
    if (end < total) {
        emit rowsBuilt(end, total);
        say(tr("Building the list: %1 of %2 participants…").arg(QLocale().toString(end), QLocale().toString(total)));
        QTimer::singleShot(0, this, &ParticipantsPanel::buildSome);
        return;
    }
    QStandardItemModel *old = m_model;
    m_model = b.model;
    b.model = nullptr;
    m_build.reset();
    m_filter->setSourceModel(m_model);
    delete old;
    m_loading = false;
    m_refresh->setEnabled(true);
    say({});
    updateCount();
    emit rowsBuilt(total, total);
    emit refreshed();
}

QList<QStandardItem *> ParticipantsPanel::rowOf(const researcher::Participant &p,
                                                const researcher::ParticipantSummary &summary) const
{
    const researcher::ParticipantSummary *s = summary.userId.isEmpty() ? nullptr : &summary;
    const auto when = [](const QDateTime &t) {
        return item(t.isValid() ? t.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm")) : QString(), t);
    };
    QList<QStandardItem *> row;
    row << item(p.userId, p.userId.toLongLong()) << item(p.consent, p.consent) << when(p.firstData) << when(p.lastData)
        << numberItem(p.daysWithData, 0) << item(p.sufficient ? tr("yes") : tr("no"), p.sufficient);
    row[Id]->setData(p.userId, Qt::UserRole + 1);
    for (const FigureColumn &c : figureColumns) {
        std::optional<double> v;
        if (c.column) {
            v = figure(s, c.column);
        } else if (const auto veryLow = figure(s, "very_low_percent"), low = figure(s, "low_percent"); veryLow && low) {
            v = *veryLow + *low;
        }
        if (v && c.column && std::string_view(c.column) == "mean_mgdl")
            row << numberItem(toUnit(*v, unit()), unitDecimals(unit()));
        else
            row << numberItem(v, c.decimals);
    }
    return row;
}

void ParticipantsPanel::applyFilter()
{
    m_filter->setConsent(m_consent->currentData().toString());
    m_filter->setSufficiency(ParticipantFilter::Sufficiency(m_sufficiency->currentData().toInt()));
    if (m_limitDates->isChecked())
        m_filter->setWindow(m_from->date().startOfDay(QTimeZone::utc()),
                            m_to->date().addDays(1).startOfDay(QTimeZone::utc()));
    else
        m_filter->setWindow({}, {});
    m_filter->setSearch(m_search->text());
    updateCount();
}

QStringList ParticipantsPanel::selectedIds() const
{
    QStringList ids;
    const QModelIndexList rows = m_table->selectionModel()->selectedRows(Id);
    for (const QModelIndex &index : rows)
        ids << index.data(Qt::UserRole + 1).toString();
    return ids;
}

void ParticipantsPanel::updateCount()
{
    const qsizetype selected = m_table->selectionModel()->selectedRows().size();
    m_count->setText(tr("%1 of %2 participants shown, %3 selected")
                             .arg(m_filter->rowCount())
                             .arg(m_model->rowCount())
                             .arg(selected));
    m_download->setEnabled(selected > 0);
    m_openLocal->setEnabled(selected > 0 && !m_job);
}

void ParticipantsPanel::onOpenLocal()
{
    const QStringList ids = selectedIds();
    if (ids.isEmpty() || m_job)
        return;
    researcher::ExportFilter filter;
    filter.participants = ids;
    const QString folder = m_context.settings
                                   ->value(QStringLiteral("download/folder"),
                                           QStandardPaths::writableLocation(QStandardPaths::DownloadLocation))
                                   .toString();
    if (folder.isEmpty() || !QDir().mkpath(folder))
        return say(tr("Please choose a download folder in the Download tab first."), true);
    m_job = m_context.api->download(filter, QDir::cleanPath(folder), this);
    connect(m_job, &researcher::DownloadJob::progress, this, [this] {
        if (m_job && m_job->percent() >= 0)
            say(tr("Downloading their entries… %1 %").arg(m_job->percent()));
    });
    connect(m_job, &researcher::DownloadJob::finished, this, [this] {
        researcher::DownloadJob *job = m_job;
        m_job = nullptr;
        job->deleteLater();
        updateCount();
        if (job->error())
            return say(job->error()->message, job->error()->code != QLatin1String("cancelled"));
        say(tr("Saved as %1").arg(QDir::toNativeSeparators(job->filePath())));
        m_context.library->add(Library::itemOf(*job));
        emit openInLocalView(job->filePath());
    });
    updateCount();
    say(tr("Downloading the entries of %n participant(s)…", nullptr, int(ids.size())));
    m_job->start();
}

} // namespace openaps::desktop
