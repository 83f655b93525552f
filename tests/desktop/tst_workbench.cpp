// The researcher workbench (Dashboards and Participants tabs) in the real
// window against the real server on SQLite and PostgreSQL: the charts hold
// what the cohort views answer, withheld cells are drawn as withheld, the
// date window reaches the server, loading never stalls the event loop; the
// participants list holds the server's participants and summaries, sorts,
// filters, and hands the chosen ones to a download or the local view.

#include "adminlogpanels.h"
#include "adminpanel.h"
#include "api/export/downloadaudit.h"
#include "applydialog.h"
#include "cohortcharts.h"
#include "core/csv.h"
#include "dashboardspanel.h"
#include "downloadpanel.h"
#include "localviewpanel.h"
#include "participantspanel.h"
#include "units.h"
#include "workbenchfixture.h"

#include <QAbstractBarSeries>
#include <QApplication>
#include <QAreaSeries>
#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QDateEdit>
#include <QImage>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QSvgRenderer>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTextBrowser>
#include <QTimeZone>

using namespace openaps;
using namespace openaps::test;

namespace {

QAbstractBarSeries *barSeries(QChart *chart)
{
    for (QAbstractSeries *s : chart->series()) {
        if (auto *bars = qobject_cast<QAbstractBarSeries *>(s))
            return bars;
    }
    return nullptr;
}

QBarSet *barSet(QChart *chart, const QString &name)
{
    QAbstractBarSeries *series = barSeries(chart);
    if (!series)
        return nullptr;
    for (QBarSet *set : series->barSets()) {
        if (set->objectName() == name)
            return set;
    }
    return nullptr;
}

QStringList categories(QChart *chart)
{
    for (QAbstractAxis *axis : chart->axes(Qt::Horizontal)) {
        if (auto *c = qobject_cast<QBarCategoryAxis *>(axis))
            return c->categories();
    }
    return {};
}

QJsonArray cellsOf(const QJsonObject &view, const QString &group)
{
    for (const QJsonValue g : view.value(QLatin1String("groups")).toArray()) {
        if (g[QLatin1String("name")].toString() == group)
            return g[QLatin1String("cells")].toArray();
    }
    return {};
}

} // namespace

class TestWorkbench final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<WorkbenchFixture> m_f;
    desktop::MainWindow *window() const { return m_f->app->window.get(); }
    desktop::DashboardsPanel *dashboards() const { return window()->dashboards(); }
    desktop::ParticipantsPanel *participants() const { return window()->participantsPanel(); }

    // Signs in and waits for both tabs to have loaded.
    void signInAs(const QString &email)
    {
        QSignalSpy drawn(dashboards(), &desktop::DashboardsPanel::refreshed);
        QSignalSpy listed(participants(), &desktop::ParticipantsPanel::refreshed);
        signIn(*window(), m_f->serverUrl(), email, WorkbenchFixture::password);
        QTRY_VERIFY(m_f->app->api->isSignedIn());
        QTRY_VERIFY_WITH_TIMEOUT(drawn.size() >= 1 && listed.size() >= 1, 60000);
        QVERIFY(!dashboards()->isLoading());
    }

    // A count chart (participants per category) equals the server's cells:
    // shown cells as their count, withheld ones hatched up to k and labelled.
    void compareCountChart(const QString &chartName, const QJsonObject &view, const QString &group,
                           int *suppressedSeen = nullptr)
    {
        QChart *chart = dashboards()->chart(chartName);
        QVERIFY2(chart, qPrintable(chartName));
        QBarSet *shown = barSet(chart, QStringLiteral("participants"));
        QBarSet *hidden = barSet(chart, QStringLiteral("suppressed"));
        QVERIFY2(shown && hidden, qPrintable(chartName));
        const QJsonArray cells = cellsOf(view, group);
        const int k = view.value(QLatin1String("k")).toInt();
        const QStringList labels = categories(chart);
        QCOMPARE(shown->count(), cells.size());
        QCOMPARE(labels.size(), cells.size());
        for (int i = 0; i < cells.size(); ++i) {
            const QJsonObject cell = cells[i].toObject();
            const QString key = cell.value(QLatin1String("key")).toString();
            QVERIFY2(labels[i].startsWith(key), qPrintable(labels[i]));
            if (cell.value(QLatin1String("suppressed")).toBool()) {
                QCOMPARE(hidden->at(i), double(k));
                QCOMPARE(shown->at(i), 0.0);
                QVERIFY2(labels[i].contains(QStringLiteral("suppressed, < %1").arg(k)), qPrintable(labels[i]));
                if (suppressedSeen)
                    ++*suppressedSeen;
            } else {
                QCOMPARE(shown->at(i), cell.value(QLatin1String("participants")).toDouble());
                QCOMPARE(hidden->at(i), 0.0);
                QCOMPARE(labels[i], key);
            }
        }
        QVERIFY(hidden->brush().style() == Qt::BDiagPattern);
    }

private slots:
    void initTestCase_data() { addBackendRows(); }
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void init()
    {
        QFETCH_GLOBAL(QString, backend);
        m_f = std::make_unique<WorkbenchFixture>();
        QVERIFY(m_f->setUp(backend));
    }

    void cleanup() { m_f.reset(); }

    void dashboardsDrawTheCohortViews()
    {
        signInAs(WorkbenchFixture::adminEmail);
        window()->tabs()->setCurrentWidget(dashboards());
        QCOMPARE(dashboards()->views().keys().size(), 6);
        int suppressed = 0;
        const QJsonObject overview = m_f->getJson(QStringLiteral("cohort/overview"));
        QCOMPARE(overview.value(QLatin1String("participants")).toInt(), 8);
        compareCountChart(QStringLiteral("overview/consent"), overview, QStringLiteral("consent"), &suppressed);
        compareCountChart(QStringLiteral("overview/days_with_data"), overview, QStringLiteral("days_with_data"),
                          &suppressed);
        compareCountChart(QStringLiteral("overview/months"), overview, QStringLiteral("months"), &suppressed);
        const QJsonObject tir = m_f->getJson(QStringLiteral("cohort/time_in_range"));
        compareCountChart(QStringLiteral("time_in_range/time_in_range"), tir, QStringLiteral("time_in_range"),
                          &suppressed);
        const QJsonObject demographics = m_f->getJson(QStringLiteral("cohort/demographics"));
        compareCountChart(QStringLiteral("demographics/gender"), demographics, QStringLiteral("gender"), &suppressed);
        compareCountChart(QStringLiteral("demographics/age_bracket"), demographics, QStringLiteral("age_bracket"),
                          &suppressed);
        const QJsonObject devices = m_f->getJson(QStringLiteral("cohort/device_groups"));
        compareCountChart(QStringLiteral("device_groups/main_device_group"), devices,
                          QStringLiteral("main_device_group"), &suppressed);
        // The fixture has withheld cells (consent nsf and both: 1 each), drawn as such.
        QVERIFY(suppressed >= 2);

        // The readings per month as the line beside the bars.
        auto *readings = dashboards()
                                 ->chart(QStringLiteral("overview/months"))
                                 ->findChild<QLineSeries *>(QStringLiteral("readings"));
        QVERIFY(readings);
        const QJsonArray months = cellsOf(overview, QStringLiteral("months"));
        int shownMonths = 0;
        for (const QJsonValue m : months) {
            if (!m[QLatin1String("suppressed")].toBool()) {
                QCOMPARE(readings->at(shownMonths).y(), m[QLatin1String("readings")].toDouble());
                ++shownMonths;
            }
        }
        QCOMPARE(readings->count(), shownMonths);

        // Cohort glucose by time of day: the median of every bin shown, none of a withheld one.
        const QJsonObject tod = m_f->getJson(QStringLiteral("cohort/glucose_by_time_of_day"));
        QChart *todChart = dashboards()->chart(QStringLiteral("glucose_by_time_of_day"));
        auto *median = todChart->findChild<QLineSeries *>(QStringLiteral("p50"));
        if (!median) { // the area series own their lines
            for (QAbstractSeries *s : todChart->series())
                if (s->objectName() == QLatin1String("p50"))
                    median = qobject_cast<QLineSeries *>(s);
        }
        QVERIFY(median);
        QList<double> expected;
        for (const QJsonValue bin : cellsOf(tod, QStringLiteral("bins"))) {
            if (!bin[QLatin1String("suppressed")].toBool() && bin[QLatin1String("p50")].isDouble())
                expected << bin[QLatin1String("p50")].toDouble();
        }
        QVERIFY(!expected.isEmpty());
        QCOMPARE(median->count(), expected.size());
        for (int i = 0; i < expected.size(); ++i)
            QCOMPARE(median->at(i).y(), expected[i]);
        QVERIFY(child<QLabel>(dashboards(), "scope")->text().contains(QLatin1String("8 participants")));
    }

    void dashboardsFollowScopeAndWindow()
    {
        signInAs(WorkbenchFixture::nsfEmail);
        // nsf scope: 1007 (both) and 1008 (nsf): under k, every count withheld.
        const researcher::CohortView overview = dashboards()->views().value(QStringLiteral("overview"));
        QVERIFY(!overview.participants);
        QVERIFY(child<QLabel>(dashboards(), "scope")->text().contains(QLatin1String("Nightscout Foundation")));
        QBarSet *shown = barSet(dashboards()->chart(QStringLiteral("overview/consent")),
                                QStringLiteral("participants"));
        QVERIFY(shown);
        QCOMPARE(shown->sum(), 0.0);

        // A window: the server answers for it (its from/to echoed) and the months chart holds only April.
        child<QCheckBox>(dashboards(), "limitDates")->setChecked(true);
        child<QDateEdit>(dashboards(), "from")->setDate(QDate(2024, 4, 1));
        child<QDateEdit>(dashboards(), "to")->setDate(QDate(2024, 4, 30));
        QSignalSpy drawn(dashboards(), &desktop::DashboardsPanel::refreshed);
        click(dashboards(), "refresh");
        QVERIFY(drawn.wait(60000));
        const researcher::CohortView windowed = dashboards()->views().value(QStringLiteral("overview"));
        QCOMPARE(windowed.from, QDateTime(QDate(2024, 4, 1), QTime(0, 0), QTimeZone::utc()));
        QCOMPARE(windowed.to, QDateTime(QDate(2024, 5, 1), QTime(0, 0), QTimeZone::utc()));
    }

    void dashboardsWindowLimitsMonths()
    {
        signInAs(WorkbenchFixture::adminEmail);
        child<QCheckBox>(dashboards(), "limitDates")->setChecked(true);
        child<QDateEdit>(dashboards(), "from")->setDate(QDate(2024, 4, 2));
        child<QDateEdit>(dashboards(), "to")->setDate(QDate(2024, 4, 20));
        QSignalSpy drawn(dashboards(), &desktop::DashboardsPanel::refreshed);
        click(dashboards(), "refresh");
        QVERIFY(drawn.wait(60000));
        QUrlQuery window;
        window.addQueryItem(QStringLiteral("from"), QStringLiteral("2024-04-02T00:00:00Z"));
        window.addQueryItem(QStringLiteral("to"), QStringLiteral("2024-04-21T00:00:00Z"));
        const QJsonObject overview = m_f->getJson(QStringLiteral("cohort/overview"), window);
        QVERIFY(!cellsOf(overview, QStringLiteral("months")).isEmpty());
        compareCountChart(QStringLiteral("overview/months"), overview, QStringLiteral("months"));
        for (const QString &month : categories(dashboards()->chart(QStringLiteral("overview/months"))))
            QVERIFY2(month.startsWith(QLatin1String("2024-04")), qPrintable(month));
    }

    // The charts are drawn one per turn of the event loop, so the window
    // answers while the dashboards load and draw (how long a turn takes is
    // the desktop benchmark's).
    void dashboardsDrawOneChartPerTurn()
    {
        signInAs(WorkbenchFixture::adminEmail);
        window()->tabs()->setCurrentWidget(dashboards());
        QSignalSpy drawn(dashboards(), &desktop::DashboardsPanel::refreshed);
        TurnCounter charts;
        connect(dashboards(), &desktop::DashboardsPanel::chartDrawn, &charts, &TurnCounter::step);
        click(dashboards(), "refresh");
        QVERIFY(dashboards()->isLoading());
        QVERIFY(drawn.wait(60000));
        QCOMPARE(charts.steps(), dashboards()->chartNames().size());
        QCOMPARE(charts.maxStepsPerTurn(), 1);
    }

    void participantsListWithSummaries()
    {
        signInAs(WorkbenchFixture::adminEmail);
        QTableView *table = participants()->table();
        QAbstractItemModel *model = table->model();
        QCOMPARE(model->rowCount(), 8);
        // Every row's summary equals the server's participant_summary (period all).
        QSqlQuery q(m_f->database->connection().value());
        QVERIFY(q.exec(QStringLiteral("SELECT user_id, readings, in_range_percent, mean_mgdl FROM participant_summary "
                                      "WHERE period = 'all'")));
        int checked = 0;
        while (q.next()) {
            const QModelIndexList hits = model->match(model->index(0, desktop::ParticipantsPanel::Id), Qt::DisplayRole,
                                                      q.value(0).toString(), 1, Qt::MatchExactly);
            QCOMPARE(hits.size(), 1);
            const int row = hits[0].row();
            const auto at = [&](int column) { return model->index(row, column).data(Qt::UserRole).toDouble(); };
            QCOMPARE(at(desktop::ParticipantsPanel::Readings), q.value(1).toDouble());
            QCOMPARE(at(desktop::ParticipantsPanel::InRange), q.value(2).toDouble());
            QCOMPARE(at(desktop::ParticipantsPanel::Mean), q.value(3).toDouble());
            ++checked;
        }
        QCOMPARE(checked, 8);

        // Sorted by readings, most first: 1001 with its 15 days.
        table->sortByColumn(desktop::ParticipantsPanel::Readings, Qt::DescendingOrder);
        QCOMPARE(model->index(0, desktop::ParticipantsPanel::Id).data().toString(), QStringLiteral("1001"));
        table->sortByColumn(desktop::ParticipantsPanel::Id, Qt::DescendingOrder);
        QCOMPARE(model->index(0, desktop::ParticipantsPanel::Id).data().toString(), QStringLiteral("1008"));

        // Filters: sufficiency, consent group, dates with data.
        auto *sufficiency = child<QComboBox>(participants(), "sufficiencyFilter");
        sufficiency->setCurrentIndex(1);
        QCOMPARE(model->rowCount(), 1);
        QCOMPARE(model->index(0, desktop::ParticipantsPanel::Id).data().toString(), QStringLiteral("1001"));
        sufficiency->setCurrentIndex(2);
        QCOMPARE(model->rowCount(), 7);
        sufficiency->setCurrentIndex(0);
        auto *consent = child<QComboBox>(participants(), "consentFilter");
        consent->setCurrentIndex(consent->findData(QStringLiteral("nsf")));
        QCOMPARE(model->rowCount(), 1);
        QCOMPARE(model->index(0, desktop::ParticipantsPanel::Id).data().toString(), QStringLiteral("1008"));
        consent->setCurrentIndex(0);
        child<QCheckBox>(participants(), "limitDates")->setChecked(true);
        child<QDateEdit>(participants(), "from")->setDate(QDate(2024, 4, 1));
        child<QDateEdit>(participants(), "to")->setDate(QDate(2024, 4, 30));
        QStringList april;
        for (int r = 0; r < model->rowCount(); ++r)
            april << model->index(r, desktop::ParticipantsPanel::Id).data().toString();
        april.sort();
        // id % 3 == 1: shifted by 32 days, from 2024-03-10 into April.
        QCOMPARE(april, (QStringList { QStringLiteral("1003"), QStringLiteral("1006") }));
        QVERIFY(child<QLabel>(participants(), "count")->text().startsWith(QLatin1String("2 of 8")));
    }

    // mmol/L: the cohort's glucose by time of day and the participants' mean
    // convert (÷ 18.01559); counts and percentages do not.
    void unitsSwitchConverts()
    {
        signInAs(WorkbenchFixture::adminEmail);
        const auto median = [this] {
            for (QAbstractSeries *s : dashboards()->chart(QStringLiteral("glucose_by_time_of_day"))->series())
                if (s->objectName() == QLatin1String("p50"))
                    return qobject_cast<QLineSeries *>(s);
            return static_cast<QLineSeries *>(nullptr);
        };
        QVERIFY(median());
        const double mgdl = median()->at(0).y();
        QAbstractItemModel *model = participants()->table()->model();
        const QModelIndexList row = model->match(model->index(0, 0), Qt::DisplayRole, QStringLiteral("1001"));
        QCOMPARE(row.size(), 1);
        const double meanMgdl =
                model->index(row[0].row(), desktop::ParticipantsPanel::Mean).data(Qt::UserRole).toDouble();
        QSignalSpy listed(participants(), &desktop::ParticipantsPanel::refreshed);
        window()->units()->setUnit(desktop::GlucoseUnit::MmolL);
        QTRY_VERIFY(median() && qAbs(median()->at(0).y() - mgdl / desktop::mgdlPerMmol) < 1e-9);
        QVERIFY(dashboards()
                        ->chart(QStringLiteral("glucose_by_time_of_day"))
                        ->title()
                        .contains(QLatin1String("mmol/L")));
        QTRY_COMPARE(listed.size(), 1);
        const QModelIndexList again = model->match(model->index(0, 0), Qt::DisplayRole, QStringLiteral("1001"));
        QCOMPARE(again.size(), 1);
        QCOMPARE(model->index(again[0].row(), desktop::ParticipantsPanel::Mean).data(Qt::UserRole).toDouble(),
                 meanMgdl / desktop::mgdlPerMmol);
        QVERIFY(model->headerData(desktop::ParticipantsPanel::Mean, Qt::Horizontal)
                        .toString()
                        .contains(QLatin1String("mmol/L")));
    }

    void participantsToDownloadAndLocalView()
    {
        signInAs(WorkbenchFixture::adminEmail);
        QTableView *table = participants()->table();
        table->sortByColumn(desktop::ParticipantsPanel::Id, Qt::AscendingOrder);
        window()->tabs()->setCurrentWidget(participants());
        table->selectionModel()->select(table->model()->index(1, 0),
                                        QItemSelectionModel::Select | QItemSelectionModel::Rows);
        table->selectionModel()->select(table->model()->index(7, 0),
                                        QItemSelectionModel::Select | QItemSelectionModel::Rows);
        QCOMPARE(participants()->selectedIds(), (QStringList { QStringLiteral("1002"), QStringLiteral("1008") }));
        click(participants(), "downloadSelected");
        QCOMPARE(window()->tabs()->currentWidget(), window()->downloadPanel());
        QCOMPARE(child<QLineEdit>(window()->downloadPanel(), "participants")->text(), QStringLiteral("1002, 1008"));

        window()->tabs()->setCurrentWidget(participants());
        click(participants(), "openSelected");
        auto *local = window()->localView();
        QTRY_VERIFY_WITH_TIMEOUT(local->analysis() && !local->isLoading(), 60000);
        QCOMPARE(window()->tabs()->currentWidget(), local);
        QStringList opened;
        for (const auto &p : local->analysis()->participants)
            opened << p.participant;
        opened.sort();
        QCOMPARE(opened, (QStringList { QStringLiteral("1002"), QStringLiteral("1008") }));
    }

    void participantsFollowTheScope()
    {
        signInAs(WorkbenchFixture::nsfEmail);
        QAbstractItemModel *model = participants()->table()->model();
        QStringList ids;
        for (int r = 0; r < model->rowCount(); ++r)
            ids << model->index(r, desktop::ParticipantsPanel::Id).data().toString();
        ids.sort();
        QCOMPARE(ids, (QStringList { QStringLiteral("1007"), QStringLiteral("1008") }));
    }

    // Approving asks first (Cancel leaves the applicant pending); the detail
    // pane shows every field of the application in full.
    void adminApprovesAfterConfirmingWithFullDetails()
    {
        const QString longPurpose = QStringLiteral("We study nocturnal hypoglycaemia in closed-loop users. ")
                                            .repeated(12)
                + QStringLiteral("The last sentence <b>is not markup</b>.");
        const QString email = QStringLiteral("carol.with.a.rather.long.address@research-institute.example.org");
        m_f->addAccount(email, api::status::pending, api::AccessScope::OpenAps, false, longPurpose);
        signInAs(WorkbenchFixture::adminEmail);
        auto *admin = window()->adminPanel();
        QTRY_VERIFY(admin->select(email));
        const QString details = child<QTextBrowser>(admin, "details")->toPlainText();
        for (const QString &field : { email, longPurpose, QStringLiteral("+1 555 0100"),
                                      QStringLiteral("Approved by the Test University IRB, protocol 2026-0042"),
                                      QStringLiteral("Diabetes Research Trust"), QStringLiteral("Test University") })
            QVERIFY2(details.contains(field), qPrintable(field));

        auto *scope = child<QComboBox>(admin, "scope");
        scope->setCurrentIndex(scope->findData(QStringLiteral("nsf")));
        window()->tabs()->setCurrentWidget(admin);
        saveScreenshot(window(), QStringLiteral("desktop-admin.png"));
        click(admin, "approve");
        QTRY_VERIFY(admin->approveQuestion() && admin->approveQuestion()->isVisible());
        QVERIFY(admin->approveQuestion()->text().contains(email));
        admin->approveQuestion()->button(QMessageBox::Cancel)->click();
        QTRY_COMPARE(child<QLabel>(admin, "adminMessage")->text(), QStringLiteral("Not approved."));
        const auto stillPending = api::ResearcherStore(*m_f->database).findByEmail(email);
        QCOMPARE((*stillPending)->status, api::status::pending);

        click(admin, "approve");
        QTRY_VERIFY(admin->approveQuestion() && admin->approveQuestion()->isVisible());
        admin->approveQuestion()->button(QMessageBox::Yes)->click();
        QTRY_VERIFY(child<QLabel>(admin, "adminMessage")->text().contains(QLatin1String("was approved (scope nsf)")));
        const auto approved = api::ResearcherStore(*m_f->database).findByEmail(email);
        QCOMPARE((*approved)->status, api::status::approved);
        QCOMPARE((*approved)->scope, QStringLiteral("nsf"));
    }

    // Usage per researcher after a real download, and the download log a page
    // at a time, by data set.
    void adminSeesUsageAndDownloadLog()
    {
        const QDateTime start = QDateTime::currentDateTimeUtc().addSecs(-3600);
        for (int i = 0; i < 7; ++i) {
            api::DownloadRecord r { m_f->adminId,
                                    i < 5 ? QStringLiteral("treatments") : QStringLiteral("profile"),
                                    QJsonObject { { QStringLiteral("gzip"), false } },
                                    QStringLiteral("csv"),
                                    10 + i,
                                    1000,
                                    start.addSecs(i * 60),
                                    start.addSecs(i * 60 + 5),
                                    QStringLiteral("complete") };
            QVERIFY(api::recordDownload(*m_f->database, r));
        }
        signInAs(WorkbenchFixture::adminEmail);
        // The Participants tab's summaries were an export too, audited like any.
        const auto audited = [this] {
            QSqlQuery q(m_f->database->connection().value());
            return q.exec(QStringLiteral("SELECT COUNT(*) FROM download_audit")) && q.next() ? q.value(0).toInt() : -1;
        };
        QTRY_COMPARE(audited(), 8);
        auto *admin = window()->adminPanel();
        // The pages' first answers (asked at sign-in) are in before asking again.
        QTRY_VERIFY(child<QTableWidget>(admin, "usage")->rowCount() > 0);
        QTRY_VERIFY(!child<QLabel>(admin, "logPosition")->text().isEmpty());
        QSignalSpy usageShown(admin->usage(), &desktop::UsagePanel::refreshed);
        click(admin, "refreshUsage");
        QVERIFY(usageShown.wait(30000));
        auto *usage = child<QTableWidget>(admin, "usage");
        int adminRow = -1;
        for (int r = 0; r < usage->rowCount(); ++r) {
            if (usage->item(r, 1)->text() == WorkbenchFixture::adminEmail)
                adminRow = r;
        }
        QVERIFY(adminRow >= 0);
        QCOMPARE(usage->item(adminRow, 4)->text(), QStringLiteral("8")); // downloads
        QCOMPARE(usage->item(adminRow, 5)->text(), QStringLiteral("8")); // complete

        auto *log = admin->downloadLog();
        log->setPageSize(3);
        QSignalSpy paged(log, &desktop::DownloadLogPanel::refreshed);
        click(log, "showLog");
        QVERIFY(paged.wait(30000));
        auto *rows = child<QTableWidget>(log, "downloads");
        QCOMPARE(log->total(), 8);
        QCOMPARE(rows->rowCount(), 3);
        QCOMPARE(child<QLabel>(log, "logPosition")->text(), QStringLiteral("1–3 of 8"));
        QCOMPARE(rows->item(0, 2)->text(), QStringLiteral("participant_summary")); // newest first
        QCOMPARE(rows->item(1, 2)->text(), QStringLiteral("profile"));
        QCOMPARE(rows->item(1, 1)->text(), QStringLiteral("ada <%1>").arg(WorkbenchFixture::adminEmail));
        click(log, "older");
        QVERIFY(paged.wait(30000));
        QCOMPARE(child<QLabel>(log, "logPosition")->text(), QStringLiteral("4–6 of 8"));
        click(log, "older");
        QVERIFY(paged.wait(30000));
        QCOMPARE(child<QLabel>(log, "logPosition")->text(), QStringLiteral("7–8 of 8"));
        QVERIFY(!child<QPushButton>(log, "older")->isEnabled());
        QVERIFY(child<QPushButton>(log, "newer")->isEnabled());
        auto *dataset = child<QComboBox>(log, "logDataset");
        QTRY_VERIFY(dataset->findData(QStringLiteral("profile")) > 0);
        dataset->setCurrentIndex(dataset->findData(QStringLiteral("profile")));
        click(log, "showLog");
        QVERIFY(paged.wait(30000));
        QCOMPARE(log->total(), 2);
        QCOMPARE(rows->rowCount(), 2);
        for (int r = 0; r < rows->rowCount(); ++r)
            QCOMPARE(rows->item(r, 2)->text(), QStringLiteral("profile"));
    }

    // "Every chart to PNG and SVG, every table to CSV", through the context
    // menu and the file dialog: a dashboards chart at its view's size, the
    // participants list and the admin's usage table cell for cell.
    void exportsFromTheWorkbenchTabs()
    {
        signInAs(WorkbenchFixture::adminEmail);
        window()->tabs()->setCurrentWidget(dashboards());
        QTemporaryDir dir;
        auto *months = child<QChartView>(dashboards(), "overview/months");
        QVERIFY(months);
        const QString png = dir.filePath(QStringLiteral("months.png"));
        saveThroughMenu(months, QStringLiteral("Save as PNG…"), png);
        QCOMPARE(QImage(png).size(), months->size());
        const QString svg = dir.filePath(QStringLiteral("months.svg"));
        saveThroughMenu(months, QStringLiteral("Save as SVG…"), svg);
        QSvgRenderer renderer(svg);
        QVERIFY(renderer.isValid());
        QCOMPARE(renderer.viewBox().size(), months->size());

        const auto sameCells = [](const QAbstractItemModel &model, const QString &path) {
            QFile file(path);
            QVERIFY(file.open(QIODevice::ReadOnly));
            const QList<QStringList> rows = csv::parse(file.readAll());
            QCOMPARE(rows.size(), model.rowCount() + 1);
            for (int c = 0; c < model.columnCount(); ++c) {
                QCOMPARE(rows[0][c], model.headerData(c, Qt::Horizontal).toString());
                for (int r = 0; r < model.rowCount(); ++r)
                    QCOMPARE(rows[r + 1][c], model.index(r, c).data().toString());
            }
        };
        window()->tabs()->setCurrentWidget(participants());
        QTableView *table = participants()->table();
        QCOMPARE(table->model()->rowCount(), 8);
        const QString listed = dir.filePath(QStringLiteral("participants.csv"));
        saveThroughMenu(table, QStringLiteral("Save as CSV…"), listed);
        sameCells(*table->model(), listed);

        auto *usage = child<QTableWidget>(window()->adminPanel(), "usage");
        QTRY_VERIFY(usage->rowCount() > 0);
        const QString used = dir.filePath(QStringLiteral("usage.csv"));
        saveThroughMenu(usage, QStringLiteral("Save as CSV…"), used);
        sameCells(*usage->model(), used);
    }

    // Tab in the description box moves on to the next field instead of typing a tab.
    void applyPurposeTabMovesFocus()
    {
        QTRY_VERIFY(window()->signInDialog());
        type(window()->signInDialog(), "serverUrl", m_f->serverUrl().toString());
        click(window()->signInDialog(), "apply");
        QTRY_VERIFY(window()->applyDialog() && window()->applyDialog()->isVisible());
        QWidget *dialog = window()->applyDialog();
        auto *purpose = child<QPlainTextEdit>(dialog, "purpose");
        dialog->activateWindow();
        purpose->setFocus();
        QTRY_VERIFY(purpose->hasFocus());
        QTest::keyClicks(purpose, QStringLiteral("Lows at night"));
        QTest::keyClick(purpose, Qt::Key_Tab);
        QCOMPARE(purpose->toPlainText(), QStringLiteral("Lows at night"));
        QVERIFY(!purpose->hasFocus());
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Backtab);
        QVERIFY(purpose->hasFocus());
    }
};

QTEST_MAIN(TestWorkbench)
#include "tst_workbench.moc"
