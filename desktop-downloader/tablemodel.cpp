#include "tablemodel.h"

namespace openaps::desktop {

void TableModel::reset(const QStringList &headers, int rows, Cell cell)
{
    beginResetModel();
    m_headers = headers;
    m_rows = rows;
    m_cell = std::move(cell);
    endResetModel();
}

QVariant TableModel::data(const QModelIndex &index, int role) const
{
    if (role != Qt::DisplayRole || !index.isValid() || !m_cell)
        return {};
    return m_cell(index.row(), index.column());
}

QVariant TableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole || orientation != Qt::Horizontal)
        return QAbstractTableModel::headerData(section, orientation, role);
    return m_headers.value(section);
}

} // namespace openaps::desktop
