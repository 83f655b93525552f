#pragma once

#include <QDateTime>
#include <QSortFilterProxyModel>

namespace openaps::desktop {

// The Participants tab's filters over its model: consent group, the
// consensus sufficiency, an id search, and the dates a participant has data
// in (any overlap of first..last reading with [from, to)). Sorts by
// Qt::UserRole, where the model keeps numbers and times as such.
class ParticipantFilter final : public QSortFilterProxyModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ParticipantFilter)

public:
    enum class Sufficiency { Any, Sufficient, NotSufficient };
    // The source model's columns these filters read.
    struct Columns
    {
        int id, consent, firstData, lastData, sufficient;
    };

    ParticipantFilter(Columns columns, QObject *parent = nullptr);

    void setConsent(const QString &consent); // empty: any
    void setSufficiency(Sufficiency sufficiency);
    void setWindow(const QDateTime &from, const QDateTime &to); // invalid: no window
    void setSearch(const QString &text);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QVariant value(int row, int column, const QModelIndex &parent) const;

    Columns m_columns;
    QString m_consent;
    Sufficiency m_sufficiency = Sufficiency::Any;
    QDateTime m_from, m_to;
    QString m_search;
};

} // namespace openaps::desktop
