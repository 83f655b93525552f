#include "etl/copyrow.h"

#include "records/nstime.h"

#include <charconv>

namespace openaps::etl {

namespace {

void appendEscaped(QByteArray &out, const QByteArray &text)
{
    const char *p = text.constData();
    const char *end = p + text.size();
    const char *run = p;
    for (; p < end; ++p) {
        char replacement = 0;
        switch (*p) {
        case '\\':
            replacement = '\\';
            break;
        case '\n':
            replacement = 'n';
            break;
        case '\r':
            replacement = 'r';
            break;
        case '\t':
            replacement = 't';
            break;
        default:
            continue;
        }
        out.append(run, p - run);
        out.append('\\');
        out.append(replacement);
        run = p + 1;
    }
    out.append(run, end - run);
}

template <typename Number> void appendNumber(QByteArray &out, Number value)
{
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, result.ptr - buffer);
}

} // namespace

void appendCopyRow(QByteArray &out, const Row &row, const records::TableSpec &table)
{
    for (size_t i = 0; i < row.size(); ++i) {
        if (i > 0)
            out.append('\t');
        const Field &f = row[i];
        switch (f.kind) {
        case Field::Null:
            out.append("\\N", 2);
            break;
        case Field::Real:
            appendNumber(out, f.real);
            break;
        case Field::Integer:
            if (table.columns[i].type == records::ColumnType::Bool)
                out.append(f.integer ? 't' : 'f');
            else
                appendNumber(out, f.integer);
            break;
        case Field::Bool:
            out.append(f.boolean ? 't' : 'f');
            break;
        case Field::Time:
            out.append(records::formatUtc(f.ms));
            break;
        case Field::Text:
        case Field::Json:
            appendEscaped(out, f.bytes);
            break;
        }
    }
    out.append('\n');
}

} // namespace openaps::etl
