#include "api/export/rowencoder.h"

#include <QJsonDocument>

#include <charconv>
#include <cmath>
#include <cstring>

namespace openaps::api {

void appendDouble(QByteArray &out, double value)
{
    if (std::isnan(value)) {
        out += "NaN";
        return;
    }
    if (std::isinf(value)) {
        out += value > 0 ? "Infinity" : "-Infinity";
        return;
    }
    char buffer[64];
    auto sci = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
    const char *e = static_cast<const char *>(std::memchr(buffer, 'e', size_t(sci.ptr - buffer)));
    const int exponent = e ? std::atoi(e + 1) : 0;
    if (exponent >= -4 && exponent < 15) {
        auto fixed = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed);
        out.append(buffer, fixed.ptr - buffer);
    } else {
        out.append(buffer, sci.ptr - buffer);
    }
}

void appendJsonString(QByteArray &out, const QByteArray &utf8)
{
    static const char hex[] = "0123456789abcdef";
    out += '"';
    const char *begin = utf8.constData();
    const char *run = begin;
    const char *end = begin + utf8.size();
    for (const char *p = begin; p < end; ++p) {
        const unsigned char c = static_cast<unsigned char>(*p);
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        out.append(run, p - run);
        run = p + 1;
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\b':
            out += "\\b";
            break;
        case '\f':
            out += "\\f";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            out += "\\u00";
            out += hex[c >> 4];
            out += hex[c & 0xf];
        }
    }
    out.append(run, end - run);
    out += '"';
}

void appendCsvField(QByteArray &out, const QByteArray &utf8)
{
    // COPY CSV quotes a value holding the delimiter, the quote, CR or LF,
    // and an empty string (an unquoted empty field is NULL).
    bool quote = utf8.isEmpty();
    for (const char c : utf8) {
        if (c == ',' || c == '"' || c == '\n' || c == '\r') {
            quote = true;
            break;
        }
    }
    if (!quote) {
        out += utf8;
        return;
    }
    out += '"';
    for (const char c : utf8) {
        if (c == '"')
            out += '"';
        out += c;
    }
    out += '"';
}

bool looksLikeFormula(const QByteArray &utf8)
{
    return !utf8.isEmpty() && QByteArrayView("=+-@\t\r").contains(utf8.front());
}

RowEncoder::RowEncoder(const Dataset &dataset, ExportFormat format, bool spreadsheetSafe)
    : m_dataset(dataset),
      m_format(format),
      m_spreadsheetSafe(spreadsheetSafe)
{
    for (const ExportColumn &c : dataset.columns) {
        QByteArray key;
        appendJsonString(key, c.name.toUtf8());
        m_jsonKeys.push_back(key + ':');
    }
}

QByteArray RowEncoder::header() const
{
    if (m_format != ExportFormat::Csv)
        return {};
    QByteArray out;
    for (size_t i = 0; i < m_dataset.columns.size(); ++i) {
        if (i)
            out += ',';
        appendCsvField(out, m_dataset.columns[i].name.toUtf8());
    }
    out += '\n';
    return out;
}

void RowEncoder::append(QByteArray &out, const QVariant *values) const
{
    const size_t n = m_dataset.columns.size();
    if (m_format == ExportFormat::Csv) {
        for (size_t i = 0; i < n; ++i) {
            if (i)
                out += ',';
            appendCsv(out, values[i], m_dataset.columns[i].type);
        }
    } else {
        out += '{';
        for (size_t i = 0; i < n; ++i) {
            if (i)
                out += ',';
            out += m_jsonKeys[i];
            appendJson(out, values[i], m_dataset.columns[i].type);
        }
        out += '}';
    }
    out += '\n';
}

namespace {

bool isNumber(const QVariant &value)
{
    switch (value.typeId()) {
    case QMetaType::Double:
    case QMetaType::Float:
    case QMetaType::Int:
    case QMetaType::LongLong:
    case QMetaType::UInt:
    case QMetaType::ULongLong:
        return true;
    default:
        return false;
    }
}

bool isInteger(const QVariant &value)
{
    return isNumber(value) && value.typeId() != QMetaType::Double && value.typeId() != QMetaType::Float;
}

// SQLite keeps what it was given: a REAL column may hold an integer and a
// column of any type a text. Numbers are written as numbers of the
// column's type; anything else as text.
void appendNumber(QByteArray &out, const QVariant &value, ExportType type)
{
    if (type == ExportType::Integer && isInteger(value))
        out += QByteArray::number(value.toLongLong());
    else
        appendDouble(out, value.toDouble());
}

} // namespace

void RowEncoder::appendCsv(QByteArray &out, const QVariant &value, ExportType type) const
{
    if (value.isNull())
        return;
    if ((type == ExportType::Real || type == ExportType::Integer) && isNumber(value)) {
        appendNumber(out, value, type);
    } else if (type == ExportType::Boolean && isNumber(value)) {
        out += value.toLongLong() ? "true" : "false";
    } else {
        const QByteArray text = value.toString().toUtf8();
        appendCsvField(out, m_spreadsheetSafe && looksLikeFormula(text) ? '\'' + text : text);
    }
}

void RowEncoder::appendJson(QByteArray &out, const QVariant &value, ExportType type) const
{
    if (value.isNull()) {
        out += "null";
        return;
    }
    if ((type == ExportType::Real || type == ExportType::Integer) && isNumber(value)) {
        const double d = value.toDouble();
        if (std::isfinite(d))
            appendNumber(out, value, type);
        else
            out += "null";
    } else if (type == ExportType::Boolean && isNumber(value)) {
        out += value.toLongLong() ? "true" : "false";
    } else if (type == ExportType::Json) {
        // The original record, as an object rather than a string. The ETL
        // stores one NDJSON line, but a record with a raw line break would
        // split the line: re-serialise that (rare) one.
        const QByteArray raw = value.toString().toUtf8();
        if (!raw.contains('\n') && !raw.contains('\r') && !raw.trimmed().isEmpty()) {
            out += raw;
        } else {
            const QJsonDocument doc = QJsonDocument::fromJson(raw);
            if (doc.isNull())
                appendJsonString(out, raw);
            else
                out += doc.toJson(QJsonDocument::Compact);
        }
    } else {
        appendJsonString(out, value.toString().toUtf8());
    }
}

} // namespace openaps::api
