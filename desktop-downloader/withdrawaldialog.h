#pragma once

#include <QDialog>
#include <QHash>
#include <QStringList>

namespace openaps::desktop {

// The rows of withdrawn participants found in one local copy.
struct WithdrawnRows
{
    QString path;
    QHash<QString, qint64> rows; // pseudonym -> rows in the file
};

// Offers to delete what the local copies hold of participants a release
// names withdrawn: lists the pseudonyms and each file with its rows, then
// "Delete their rows" (the files written again without them), "Delete the
// files" or "Not now". Opened with open(): the event loop runs on.
class WithdrawalDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WithdrawalDialog)

public:
    enum class Choice { Later, DeleteRows, DeleteFiles };

    WithdrawalDialog(const QStringList &pseudonyms, const QList<WithdrawnRows> &found, QWidget *parent = nullptr);
    Choice choice() const { return m_choice; }

signals:
    void chosen(openaps::desktop::WithdrawalDialog::Choice choice);

private:
    Choice m_choice = Choice::Later;
};

} // namespace openaps::desktop
