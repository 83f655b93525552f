#pragma once

#include <QAbstractTableModel>
#include <QStringList>

#include <functional>

namespace openaps::desktop {

// A read-only table whose cells are computed when drawn, so a table of a
// year of loop cycles costs nothing until it is scrolled to.
class TableModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TableModel)

public:
    using Cell = std::function<QString(int row, int column)>;
    explicit TableModel(QObject *parent = nullptr) : QAbstractTableModel(parent) { }
    void reset(const QStringList &headers, int rows, Cell cell);

    int rowCount(const QModelIndex &parent = {}) const override { return parent.isValid() ? 0 : m_rows; }
    int columnCount(const QModelIndex &parent = {}) const override
    {
        return parent.isValid() ? 0 : int(m_headers.size());
    }
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QStringList m_headers;
    int m_rows = 0;
    Cell m_cell;
};

} // namespace openaps::desktop
