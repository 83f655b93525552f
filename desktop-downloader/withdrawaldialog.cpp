#include "withdrawaldialog.h"

#include <QDialogButtonBox>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace openaps::desktop {

WithdrawalDialog::WithdrawalDialog(const QStringList &pseudonyms, const QList<WithdrawnRows> &found, QWidget *parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("withdrawalDialog"));
    setWindowTitle(tr("Withdrawn participants"));
    qint64 total = 0;
    for (const WithdrawnRows &file : found) {
        for (const qint64 n : file.rows)
            total += n;
    }
    const QLocale locale;
    auto *text = new QLabel(tr("These participants have left the study or withdrawn their consent since your previous "
                               "release: %1. Your terms of use require you to delete their data. These files on this "
                               "computer hold %2 of their rows:")
                                    .arg(pseudonyms.join(QLatin1String(", ")), locale.toString(total)));
    text->setObjectName(QStringLiteral("withdrawalText"));
    text->setTextFormat(Qt::PlainText);
    text->setWordWrap(true);
    auto *files = new QTableWidget(int(found.size()), 3);
    files->setObjectName(QStringLiteral("withdrawalFiles"));
    files->setHorizontalHeaderLabels({ tr("File"), tr("Participants"), tr("Rows") });
    files->verticalHeader()->hide();
    files->setEditTriggers(QAbstractItemView::NoEditTriggers);
    for (int row = 0; row < found.size(); ++row) {
        QStringList ids = found[row].rows.keys();
        ids.sort();
        qint64 rows = 0;
        for (const qint64 n : found[row].rows)
            rows += n;
        auto *name = new QTableWidgetItem(QFileInfo(found[row].path).fileName());
        name->setToolTip(found[row].path);
        files->setItem(row, 0, name);
        files->setItem(row, 1, new QTableWidgetItem(ids.join(QLatin1String(", "))));
        files->setItem(row, 2, new QTableWidgetItem(locale.toString(rows)));
    }
    files->resizeColumnsToContents();
    files->horizontalHeader()->setStretchLastSection(true);

    auto *buttons = new QDialogButtonBox;
    QPushButton *rows = buttons->addButton(tr("Delete their rows"), QDialogButtonBox::AcceptRole);
    QPushButton *whole = buttons->addButton(tr("Delete the files"), QDialogButtonBox::DestructiveRole);
    QPushButton *later = buttons->addButton(tr("Not now"), QDialogButtonBox::RejectRole);
    rows->setObjectName(QStringLiteral("deleteRows"));
    rows->setToolTip(tr("Writes each file again without these participants' rows, in the same format and "
                        "compression. A release zip then no longer matches its manifest."));
    whole->setObjectName(QStringLiteral("deleteFiles"));
    later->setObjectName(QStringLiteral("notNow"));
    // Enter never deletes: "Not now" is the default.
    rows->setAutoDefault(false);
    whole->setAutoDefault(false);
    later->setDefault(true);
    later->setFocus(); // also for Space, and so that the default shows
    const auto choose = [this](Choice choice) {
        m_choice = choice;
        emit chosen(choice);
        choice == Choice::Later ? reject() : accept();
    };
    connect(rows, &QPushButton::clicked, this, [choose] { choose(Choice::DeleteRows); });
    connect(whole, &QPushButton::clicked, this, [choose] { choose(Choice::DeleteFiles); });
    connect(later, &QPushButton::clicked, this, [choose] { choose(Choice::Later); });

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(text);
    layout->addWidget(files, 1);
    layout->addWidget(buttons);
    resize(640, 360);
}

} // namespace openaps::desktop
