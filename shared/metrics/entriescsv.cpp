#include "metrics/entriescsv.h"

#include <QDateTime>
#include <QFile>

#include <cstring>
#include <vector>

namespace openaps::metrics {

namespace {

constexpr qint64 chunkSize = 1024 * 1024;

struct FieldView
{
    qsizetype begin = 0;
    qsizetype end = 0;
    bool quoted = false;
};

// Splits the record that starts at `pos` into fields without copying.
// Returns the position after its line end, or -1 when the buffer ends
// inside the record and more data may follow.
qsizetype splitRecord(const char *data, qsizetype size, qsizetype pos, bool atEnd,
                      std::vector<FieldView> &fields)
{
    fields.clear();
    FieldView field { pos, pos, false };
    qsizetype i = pos;
    while (true) {
        if (i < size && data[i] == '"') {
            // Quoted field: runs to the closing quote; "" is an escaped quote.
            field.quoted = true;
            qsizetype j = i + 1;
            while (true) {
                const void *q = j < size ? std::memchr(data + j, '"', size_t(size - j)) : nullptr;
                if (!q)
                    return atEnd ? size : -1; // unterminated: the rest is this field
                j = static_cast<const char *>(q) - data;
                if (j + 1 < size && data[j + 1] == '"') {
                    j += 2;
                    continue;
                }
                if (j + 1 >= size && !atEnd)
                    return -1;
                break;
            }
            field.begin = i + 1;
            field.end = j;
            i = j + 1;
            while (i < size && data[i] != ',' && data[i] != '\n')
                ++i; // text after the closing quote is not valid CSV; ignored
        } else {
            while (i < size && data[i] != ',' && data[i] != '\n')
                ++i;
            field.end = i;
        }
        if (i >= size && !atEnd)
            return -1;
        if (!field.quoted && field.end > field.begin && data[field.end - 1] == '\r')
            --field.end;
        fields.push_back(field);
        if (i >= size)
            return size;
        if (data[i] == '\n')
            return i + 1;
        ++i; // comma
        field = { i, i, false };
    }
}

QByteArray fieldText(const char *data, const FieldView &f)
{
    QByteArray text(data + f.begin, f.end - f.begin);
    if (f.quoted)
        text.replace("\"\"", "\"");
    return text;
}

int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; ++i) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's algorithm).
qint64 daysFromCivil(int y, int m, int d)
{
    y -= m <= 2;
    const qint64 era = (y >= 0 ? y : y - 399) / 400;
    const int yoe = int(y - era * 400);
    const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

} // namespace

qint64 parseIsoUtcMs(QByteArrayView text)
{
    const char *s = text.data();
    const qsizetype n = text.size();
    // The fast path covers what the API writes: YYYY-MM-DDTHH:MM:SS[.fff]Z.
    if (n >= 20 && s[4] == '-' && s[7] == '-' && (s[10] == 'T' || s[10] == ' ') && s[13] == ':'
        && s[16] == ':' && s[n - 1] == 'Z') {
        const int y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
        const int h = digits(s + 11, 2), mi = digits(s + 14, 2), sec = digits(s + 17, 2);
        int ms = 0;
        bool ok = y >= 0 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h >= 0 && h < 24 && mi >= 0
                && mi < 60 && sec >= 0 && sec < 61;
        if (ok && n > 20) {
            ok = s[19] == '.' && n - 21 >= 1;
            int scale = 100;
            for (qsizetype i = 20; ok && i < n - 1; ++i) {
                ok = s[i] >= '0' && s[i] <= '9';
                ms += (s[i] - '0') * scale;
                scale /= 10;
            }
        }
        if (ok)
            return ((daysFromCivil(y, mo, d) * 24 + h) * 60 + mi) * 60000 + sec * 1000 + ms;
    }
    const QDateTime dt = QDateTime::fromString(QString::fromLatin1(s, n), Qt::ISODateWithMs);
    return dt.isValid() ? dt.toMSecsSinceEpoch() : -1;
}

Result<EntriesData> loadEntriesCsv(QIODevice &device, const LoadProgress &progress)
{
    EntriesData result;
    QByteArray buffer;
    std::vector<FieldView> fields;
    int userCol = -1, sgvCol = -1, dateCol = -1, offsetCol = -1;
    bool haveHeader = false;
    qint64 bytesRead = 0;
    QByteArray lastKey;
    QList<Reading> *current = nullptr;
    bool atEnd = false;
    while (!atEnd) {
        const QByteArray chunk = device.read(chunkSize);
        if (chunk.isEmpty() && device.bytesAvailable() <= 0)
            atEnd = true;
        bytesRead += chunk.size();
        buffer += chunk;
        const char *data = buffer.constData();
        const qsizetype size = buffer.size();
        qsizetype pos = 0;
        while (pos < size) {
            const qsizetype next = splitRecord(data, size, pos, atEnd, fields);
            if (next < 0)
                break;
            pos = next;
            if (fields.size() == 1 && fields[0].end == fields[0].begin)
                continue; // blank line
            if (!haveHeader) {
                for (int i = 0; i < int(fields.size()); ++i) {
                    const QByteArray name = fieldText(data, fields[i]).trimmed();
                    if (name == "user_id")
                        userCol = i;
                    else if (name == "sgv")
                        sgvCol = i;
                    else if (name == "date")
                        dateCol = i;
                    else if (name == "utc_offset")
                        offsetCol = i;
                }
                if (sgvCol < 0 || dateCol < 0)
                    return makeError("not-entries",
                                     QStringLiteral("This file is not an entries download: it has no "
                                                    "\"sgv\" and \"date\" columns."));
                haveHeader = true;
                continue;
            }
            ++result.rows;
            const auto at = [&](int col) {
                return col >= 0 && col < int(fields.size())
                        ? QByteArrayView(data + fields[col].begin, fields[col].end - fields[col].begin)
                        : QByteArrayView();
            };
            bool ok = false;
            const double sgv = at(sgvCol).toDouble(&ok);
            const qint64 when = ok ? parseIsoUtcMs(at(dateCol)) : -1;
            if (!ok || when < 0) {
                ++result.skipped;
                continue;
            }
            const QByteArrayView key = at(userCol);
            // Rows come sorted by participant: look the list up only when it changes.
            if (!current || key != lastKey) {
                lastKey = key.toByteArray();
                const QString participant = QString::fromUtf8(lastKey);
                if (!result.readings.contains(participant))
                    result.participants.append(participant);
                current = &result.readings[participant];
            }
            const int offset = at(offsetCol).toInt();
            current->append({ when, offset, sgv });
        }
        buffer.remove(0, pos);
        if (progress && !progress(bytesRead))
            return makeError("cancelled", QStringLiteral("Loading the file was cancelled."));
    }
    if (!haveHeader)
        return makeError("not-entries", QStringLiteral("The file is empty."));
    return result;
}

Result<EntriesData> loadEntriesCsvFile(const QString &path, const LoadProgress &progress)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError("unreadable", QStringLiteral("The file %1 could not be opened: %2")
                                               .arg(path, file.errorString()));
    if (file.peek(2) == QByteArray("\x1f\x8b", 2))
        return makeError("compressed", QStringLiteral("This file is gzip-compressed. Unpack it first, or "
                                                      "download it again without \"Compress (gzip)\"."));
    return loadEntriesCsv(file, progress);
}

} // namespace openaps::metrics
