#include "metrics/entriescsv.h"

#include "core/civildate.h"
#include "core/csv.h"
#include "metrics/gzipreader.h"

#include <QDateTime>
#include <QFile>

namespace openaps::metrics {

namespace {

constexpr qint64 chunkSize = 1024 * 1024;

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

// Numbers as the export writes them ("123", "-300", "98.5"); anything else
// (exponents, spaces) goes to Qt's parser. Qt's general parser costs more
// than the whole CSV scan on large files.
double parseNumber(QByteArrayView text, bool *ok)
{
    const char *s = text.data();
    const qsizetype n = text.size();
    qsizetype i = 0;
    const bool negative = n > 0 && s[0] == '-';
    if (negative)
        ++i;
    double value = 0;
    qsizetype digitsSeen = 0;
    for (; i < n && s[i] >= '0' && s[i] <= '9' && digitsSeen < 15; ++i, ++digitsSeen)
        value = value * 10 + (s[i] - '0');
    if (i < n && s[i] == '.') {
        double scale = 0.1;
        for (++i; i < n && s[i] >= '0' && s[i] <= '9' && digitsSeen < 15; ++i, ++digitsSeen, scale /= 10)
            value += (s[i] - '0') * scale;
    }
    if (i == n && digitsSeen > 0) {
        *ok = true;
        return negative ? -value : value;
    }
    return text.toDouble(ok);
}

} // namespace

qint64 parseIsoUtcMs(QByteArrayView text)
{
    const char *s = text.data();
    const qsizetype n = text.size();
    // The fast path covers what databases and the API write:
    // YYYY-MM-DD[T ]HH:MM:SS[.fff][Z|+HH:MM|-HH:MM|+HHMM] (no zone: UTC).
    if (n >= 19 && s[4] == '-' && s[7] == '-' && (s[10] == 'T' || s[10] == ' ') && s[13] == ':' && s[16] == ':') {
        const int y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
        const int h = digits(s + 11, 2), mi = digits(s + 14, 2), sec = digits(s + 17, 2);
        bool ok = y >= 0 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h >= 0 && h < 24 && mi >= 0 && mi < 60
                && sec >= 0 && sec < 61;
        qsizetype i = 19;
        int ms = 0;
        if (ok && i < n && s[i] == '.') {
            int scale = 100;
            for (++i; i < n && s[i] >= '0' && s[i] <= '9'; ++i, scale /= 10)
                ms += (s[i] - '0') * scale;
            ok = i > 20;
        }
        int offsetMinutes = 0;
        if (ok && i < n) {
            if (s[i] == 'Z' && i + 1 == n) {
                ++i;
            } else if ((s[i] == '+' || s[i] == '-') && (n - i == 6 || n - i == 5)) {
                const int oh = digits(s + i + 1, 2);
                const int om = n - i == 6 ? (s[i + 3] == ':' ? digits(s + i + 4, 2) : -1) : digits(s + i + 3, 2);
                ok = oh >= 0 && om >= 0;
                offsetMinutes = (s[i] == '-' ? -1 : 1) * (oh * 60 + om);
                i = n;
            } else {
                ok = false;
            }
        }
        if (ok && i == n)
            return ((civil::daysFromCivil(y, mo, d) * 24 + h) * 60 + mi - offsetMinutes) * 60000 + sec * 1000 + ms;
    }
    const QDateTime dt = QDateTime::fromString(QString::fromLatin1(s, n), Qt::ISODateWithMs);
    return dt.isValid() ? dt.toMSecsSinceEpoch() : -1;
}

namespace {

// Hands out the file's text chunk by chunk (empty at the end) and the bytes
// of the file read so far.
using ChunkSource = std::function<Result<QByteArray>(qint64 *fileBytesRead)>;

Result<EntriesData> parseEntries(const ChunkSource &nextChunk, const LoadProgress &progress)
{
    EntriesData result;
    csv::ChunkedReader reader;
    int userCol = -1, sgvCol = -1, dateCol = -1, offsetCol = -1;
    bool haveHeader = false;
    qint64 bytesRead = 0;
    QByteArray lastKey;
    QList<Reading> *current = nullptr;
    while (!reader.atEnd()) {
        const auto chunk = nextChunk(&bytesRead);
        if (!chunk)
            return chunk.error();
        reader.add(*chunk);
        const csv::Record &fields = reader.fields();
        while (reader.nextRecord()) {
            if (!haveHeader) {
                for (int i = 0; i < int(fields.size()); ++i) {
                    const QByteArray name = reader.field(i).trimmed();
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
                        ? QByteArrayView(reader.data() + fields[col].begin, fields[col].end - fields[col].begin)
                        : QByteArrayView();
            };
            bool ok = false;
            const double sgv = parseNumber(at(sgvCol), &ok);
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
            bool offsetOk = false;
            const int offset = int(parseNumber(at(offsetCol), &offsetOk));
            current->append({ when, offset, sgv });
        }
        if (progress && !progress(bytesRead))
            return makeError("cancelled", QStringLiteral("Loading the file was cancelled."));
    }
    if (!haveHeader)
        return makeError("not-entries", QStringLiteral("The file is empty."));
    return result;
}

} // namespace

Result<EntriesData> loadEntriesCsv(QIODevice &device, const LoadProgress &progress)
{
    return parseEntries(
            [&device](qint64 *read) -> Result<QByteArray> {
                QByteArray chunk = device.read(chunkSize);
                *read += chunk.size();
                return chunk;
            },
            progress);
}

Result<EntriesData> loadEntriesCsvFile(const QString &path, const LoadProgress &progress)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError("unreadable",
                         QStringLiteral("The file %1 could not be opened: %2").arg(path, file.errorString()));
    if (file.peek(2) != QByteArray("\x1f\x8b", 2))
        return loadEntriesCsv(file, progress);
    GzipReader gzip(file);
    return parseEntries(
            [&](qint64 *read) {
                auto chunk = gzip.read(chunkSize);
                *read = file.pos(); // progress against the compressed size on disk
                return chunk;
            },
            progress);
}

} // namespace openaps::metrics
