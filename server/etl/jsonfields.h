#pragma once

#include "etl/row.h"

#include <QJsonValue>

// Sets a table field from Nightscout's loosely typed JSON, through the lenient
// readers of records/jsonvalues.h; a value that does not parse leaves the
// field null.
namespace openaps::etl::json {

void setReal(Field &field, const QJsonValue &value);
void setText(Field &field, const QJsonValue &value);
void setBool(Field &field, const QJsonValue &value);
// Leaves the field null unless the value parses as a time.
void setTime(Field &field, const QJsonValue &value);

} // namespace openaps::etl::json
