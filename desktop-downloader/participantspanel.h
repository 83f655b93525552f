#pragma once

#include "appcontext.h"
#include "researcher/downloadjob.h" // currentJob() hands out a QPointer of it
#include "researcher/listings.h"
#include "units.h"

#include <QHash>
#include <QPointer>
#include <QWidget>

#include <memory>

class QCheckBox;
class QComboBox;
class QDateEdit;
class QLabel;
class QLineEdit;
class QPushButton;
class QSortFilterProxyModel;
class QStandardItem;
class QStandardItemModel;
class QTableView;

namespace openaps::desktop {

class ParticipantFilter;

// The participants in the researcher's scope (GET /api/v1/participants)
// with their whole-history summaries (participant_summary, period "all"),
// sortable by every column and filtered by consent group, sufficiency and
// the dates they have data in. Several can be chosen, then downloaded (the
// Download tab, their ids filled in) or opened in the local view (their
// entries downloaded first into the download folder).
class ParticipantsPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ParticipantsPanel)

public:
    enum Column {
        Id,
        Consent,
        FirstData,
        LastData,
        DaysWithData,
        Sufficient,
        Readings,
        Mean,
        InRange,
        BelowRange,
        Cv,
        Gmi,
        ActiveCgm,
        ColumnCount
    };

    explicit ParticipantsPanel(AppContext context, QWidget *parent = nullptr);

    void refresh();
    void clear();
    bool isLoading() const { return m_loading; }
    // The ids chosen in the table (as shown: filtered, sorted).
    QStringList selectedIds() const;
    QTableView *table() const { return m_table; }
    researcher::DownloadJob *currentJob() const { return m_job; }

signals:
    void refreshed();
    // A slice of the list's rows built, in a turn of the event loop of its
    // own: emitted before the next slice is queued.
    void rowsBuilt(qsizetype built, qsizetype total);
    void downloadRequested(const QStringList &participants);
    void openInLocalView(const QString &path);

private:
    void fill(const QList<researcher::Participant> &participants,
              const QList<researcher::ParticipantSummary> &summaries);
    void buildSome();
    QList<QStandardItem *> rowOf(const researcher::Participant &participant,
                                 const researcher::ParticipantSummary &summary) const;
    void applyFilter();
    void updateCount();
    void onOpenLocal();
    void say(const QString &text, bool isError = false);
    GlucoseUnit unit() const;

    AppContext m_context;
    QComboBox *m_consent;
    QComboBox *m_sufficiency;
    QCheckBox *m_limitDates;
    QDateEdit *m_from;
    QDateEdit *m_to;
    QLineEdit *m_search;
    QPushButton *m_refresh;
    QPushButton *m_download;
    QPushButton *m_openLocal;
    QTableView *m_table;
    QLabel *m_count;
    QLabel *m_status;
    // A list being built, a few rows per turn of the event loop.
    struct Build
    {
        QList<researcher::Participant> participants;
        QHash<QString, researcher::ParticipantSummary> summaries;
        QStandardItemModel *model = nullptr;
        qsizetype next = 0;
        Build() = default;
        Build(const Build &) = delete;
        Build &operator=(const Build &) = delete;
        ~Build();
    };
    std::unique_ptr<Build> m_build;
    QStringList m_titles;
    QList<researcher::Participant> m_participants; // the last answers, for a change of units
    QList<researcher::ParticipantSummary> m_summaries;
    QStandardItemModel *m_model;
    ParticipantFilter *m_filter;
    QPointer<researcher::DownloadJob> m_job;
    quint64 m_generation = 0;
    bool m_loading = false;
};

} // namespace openaps::desktop
