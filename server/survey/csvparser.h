#pragma once

#include <QByteArray>
#include <QList>
#include <QStringList>

namespace openaps::survey {

// Parses CSV as spreadsheets export it (RFC 4180): comma-separated fields,
// fields in double quotes may hold commas, line breaks and doubled quotes
// (""), lines end in LF or CRLF, a UTF-8 byte-order mark is skipped. Blank
// lines between records are dropped. Never fails: a quote left open at the
// end takes the rest of the data as its field.
QList<QStringList> parseCsv(const QByteArray &data);

} // namespace openaps::survey
