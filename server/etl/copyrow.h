#pragma once

#include "etl/row.h"

#include <QByteArray>

namespace openaps::etl {

// Appends `row` to `out` in COPY text format (tab-separated, \N for null,
// backslash escapes), as the columns of `table` say.
void appendCopyRow(QByteArray &out, const Row &row, const records::TableSpec &table);

} // namespace openaps::etl
