#include "survey/csvparser.h"

namespace openaps::survey {

QList<QStringList> parseCsv(const QByteArray &data)
{
    QList<QStringList> rows;
    QStringList row;
    QByteArray field;
    bool quoted = false; // inside a quoted field
    bool fieldStarted = false;
    qsizetype i = data.startsWith("\xEF\xBB\xBF") ? 3 : 0;

    auto endField = [&] {
        row << QString::fromUtf8(field);
        field.clear();
        fieldStarted = false;
    };
    auto endRow = [&] {
        endField();
        // A line holding nothing at all is no record.
        if (!(row.size() == 1 && row.first().isEmpty()))
            rows << row;
        row.clear();
    };

    for (; i < data.size(); ++i) {
        const char c = data[i];
        if (quoted) {
            if (c == '"') {
                if (i + 1 < data.size() && data[i + 1] == '"') {
                    field += '"';
                    ++i;
                } else {
                    quoted = false;
                }
            } else {
                field += c;
            }
            continue;
        }
        switch (c) {
        case '"':
            if (!fieldStarted && field.isEmpty())
                quoted = true;
            else
                field += c; // a stray quote inside an unquoted field is text
            fieldStarted = true;
            break;
        case ',':
            endField();
            break;
        case '\r':
            if (i + 1 < data.size() && data[i + 1] == '\n')
                ++i;
            endRow();
            break;
        case '\n':
            endRow();
            break;
        default:
            field += c;
            fieldStarted = true;
        }
    }
    if (fieldStarted || !field.isEmpty() || !row.isEmpty())
        endRow();
    return rows;
}

} // namespace openaps::survey
