#include "participantfilter.h"

namespace openaps::desktop {

ParticipantFilter::ParticipantFilter(Columns columns, QObject *parent)
    : QSortFilterProxyModel(parent),
      m_columns(columns)
{
    setSortRole(Qt::UserRole);
}

void ParticipantFilter::setConsent(const QString &consent)
{
    m_consent = consent;
    invalidateFilter();
}

void ParticipantFilter::setSufficiency(Sufficiency sufficiency)
{
    m_sufficiency = sufficiency;
    invalidateFilter();
}

void ParticipantFilter::setWindow(const QDateTime &from, const QDateTime &to)
{
    m_from = from;
    m_to = to;
    invalidateFilter();
}

void ParticipantFilter::setSearch(const QString &text)
{
    m_search = text.trimmed();
    invalidateFilter();
}

QVariant ParticipantFilter::value(int row, int column, const QModelIndex &parent) const
{
    return sourceModel()->index(row, column, parent).data(Qt::UserRole);
}

bool ParticipantFilter::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (!m_consent.isEmpty() && value(sourceRow, m_columns.consent, sourceParent).toString() != m_consent)
        return false;
    if (m_sufficiency != Sufficiency::Any
        && value(sourceRow, m_columns.sufficient, sourceParent).toBool() != (m_sufficiency == Sufficiency::Sufficient))
        return false;
    if (!m_search.isEmpty() && !value(sourceRow, m_columns.id, sourceParent).toString().contains(m_search))
        return false;
    if (m_from.isValid() && value(sourceRow, m_columns.lastData, sourceParent).toDateTime() < m_from)
        return false;
    if (m_to.isValid() && value(sourceRow, m_columns.firstData, sourceParent).toDateTime() >= m_to)
        return false;
    return true;
}

} // namespace openaps::desktop
