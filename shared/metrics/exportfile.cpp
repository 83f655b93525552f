#include "metrics/exportfile.h"

#include "core/csv.h"
#include "metrics/gzipreader.h"
#include "metrics/zipmember.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <memory>

namespace openaps::metrics {

namespace {

constexpr qint64 chunkSize = 1024 * 1024;

// The file's text chunk by chunk (empty at the end), plain or gzip, on disk
// or in a zip.
class ChunkReader
{
public:
    Status open(const ExportSource &source)
    {
        if (!source.member.isEmpty()) {
            if (Status opened = m_member.openMember(source.path, source.member); !opened)
                return opened;
            m_device = &m_member;
            return {};
        }
        m_file.setFileName(source.path);
        if (!m_file.open(QIODevice::ReadOnly))
            return makeError(
                    "unreadable",
                    QStringLiteral("The file %1 could not be opened: %2").arg(source.path, m_file.errorString()));
        if (m_file.peek(2) == QByteArray("\x1f\x8b", 2))
            m_gzip = std::make_unique<GzipReader>(m_file);
        return {};
    }
    Result<QByteArray> next()
    {
        if (m_gzip)
            return m_gzip->read(chunkSize);
        // One buffer for every chunk (the caller has let go of the last one):
        // a new megabyte each time cost the kernel a fifth of the time in page faults.
        m_chunk.resize(chunkSize);
        const qint64 n = m_device->read(m_chunk.data(), chunkSize);
        if (n < 0)
            return makeError("unreadable",
                             QStringLiteral("The file could not be read: %1").arg(m_device->errorString()));
        m_chunk.resize(n);
        return m_chunk;
    }
    bool isGzip() const { return m_gzip != nullptr; }
    qint64 bytesRead() const { return m_device == &m_member ? m_member.zipBytesRead() : m_file.pos(); }

private:
    QFile m_file;
    ZipMember m_member;
    QIODevice *m_device = &m_file;
    std::unique_ptr<GzipReader> m_gzip;
    QByteArray m_chunk;
};

bool isSpace(char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

bool looksLikeJson(const QByteArray &text)
{
    for (const char c : text) {
        if (isSpace(c))
            continue;
        return c == '{';
    }
    return false;
}

Error notAnExport(const QString &name)
{
    return makeError("not-export",
                     QStringLiteral("%1 is not a file the researcher API exports (CSV or NDJSON).").arg(name));
}

// One NDJSON line's top-level members picked out without building the
// object: nested objects (raw_json) are skipped over, not parsed, which is
// what made NDJSON several times slower than CSV. Strings with escapes are
// decoded by QJsonDocument. False if the line is not one JSON object.
class ObjectScanner
{
public:
    ObjectScanner(const char *begin, const char *end) : m_p(begin), m_end(end) { }

    // Calls `member(key, value)` with the raw bytes of each member.
    template <typename F> bool scan(F &&member)
    {
        skipSpace();
        if (!take('{'))
            return false;
        skipSpace();
        if (take('}'))
            return rest();
        for (;;) {
            skipSpace();
            const char *key = m_p;
            if (!skipString())
                return false;
            const QByteArrayView keyText(key, m_p - key);
            skipSpace();
            if (!take(':'))
                return false;
            skipSpace();
            const char *value = m_p;
            if (!skipValue())
                return false;
            member(keyText, QByteArrayView(value, m_p - value));
            skipSpace();
            if (take('}'))
                return rest();
            if (!take(','))
                return false;
        }
    }

private:
    void skipSpace()
    {
        while (m_p < m_end && isSpace(*m_p))
            ++m_p;
    }
    bool take(char c)
    {
        if (m_p < m_end && *m_p == c) {
            ++m_p;
            return true;
        }
        return false;
    }
    bool rest()
    {
        skipSpace();
        return m_p == m_end;
    }
    bool skipString()
    {
        if (!take('"'))
            return false;
        while (m_p < m_end) {
            const char c = *m_p++;
            if (c == '\\')
                ++m_p;
            else if (c == '"')
                return true;
        }
        return false;
    }
    bool skipValue()
    {
        if (m_p >= m_end)
            return false;
        if (*m_p == '"')
            return skipString();
        if (*m_p == '{' || *m_p == '[') {
            int depth = 0;
            while (m_p < m_end) {
                const char c = *m_p;
                if (c == '"') {
                    if (!skipString())
                        return false;
                    continue;
                }
                ++m_p;
                if (c == '{' || c == '[')
                    ++depth;
                else if ((c == '}' || c == ']') && --depth == 0)
                    return true;
            }
            return false;
        }
        const char *start = m_p;
        while (m_p < m_end && *m_p != ',' && *m_p != '}' && !isSpace(*m_p))
            ++m_p;
        return m_p > start;
    }

    const char *m_p;
    const char *m_end;
};

// A member's value as text: strings unquoted (escapes decoded), null empty,
// numbers, booleans, objects and arrays as written.
QByteArray valueText(QByteArrayView raw)
{
    if (raw.startsWith('"')) {
        const QByteArrayView inner = raw.sliced(1, raw.size() - 2);
        if (!inner.contains('\\'))
            return inner.toByteArray();
        const QJsonDocument doc = QJsonDocument::fromJson('[' + raw.toByteArray() + ']');
        return doc.array().at(0).toString().toUtf8();
    }
    if (raw == "null")
        return {};
    return raw.toByteArray();
}

} // namespace

QString ExportSource::name() const
{
    return member.isEmpty() ? QFileInfo(path).fileName()
                            : QStringLiteral("%1 (in %2)").arg(member, QFileInfo(path).fileName());
}

Result<ExportHeader> readExportHeader(const ExportSource &source)
{
    ChunkReader reader;
    if (Status opened = reader.open(source); !opened)
        return opened.error();
    QByteArray text;
    // Enough for the header row or the first object (raw_json can be long).
    while (!text.contains('\n') && text.size() < 16 * chunkSize) {
        auto chunk = reader.next();
        if (!chunk)
            return chunk.error();
        if (chunk->isEmpty())
            break;
        text += *chunk;
    }
    ExportHeader header;
    header.gzip = reader.isGzip();
    const qsizetype bom = csv::bomLength(text.constData(), text.size());
    const QByteArray first = text.mid(bom, text.indexOf('\n') < 0 ? -1 : text.indexOf('\n') - bom);
    header.ndjson = looksLikeJson(first);
    if (header.ndjson) {
        const QJsonDocument doc = QJsonDocument::fromJson(first);
        if (!doc.isObject())
            return notAnExport(source.name());
        header.columns = doc.object().keys();
    } else {
        const QList<QStringList> rows = csv::parse(first + '\n');
        if (rows.isEmpty())
            return makeError("not-export", QStringLiteral("The file %1 is empty.").arg(source.name()));
        for (const QString &column : rows.first())
            header.columns.append(column.trimmed());
    }
    return header;
}

Status readExportRecords(const ExportSource &source, const QStringList &wanted, const ExportRecord &record,
                         const LoadProgress &progress, qint64 *skipped)
{
    auto header = readExportHeader(source);
    if (!header)
        return header.error();
    ChunkReader reader;
    if (Status opened = reader.open(source); !opened)
        return opened;
    QList<int> columnOf;
    QList<QByteArray> keys;
    for (const QString &name : wanted) {
        columnOf.append(int(header->columns.indexOf(name)));
        keys.append(name.toUtf8());
    }
    csv::ChunkedReader chunks;
    QList<QByteArray> values(wanted.size());
    QByteArrayView line;
    bool haveHeader = header->ndjson;
    while (!chunks.atEnd()) {
        auto chunk = reader.next();
        if (!chunk)
            return chunk.error();
        chunks.add(*chunk);
        while (header->ndjson && chunks.nextLine(line)) {
            for (QByteArray &v : values)
                v.clear();
            ObjectScanner scanner(line.data(), line.data() + line.size());
            const bool isObject = scanner.scan([&](QByteArrayView key, QByteArrayView value) {
                const QByteArray decoded = key.contains('\\') ? valueText(key) : QByteArray();
                const QByteArrayView name = decoded.isNull() ? key.sliced(1, key.size() - 2) : decoded;
                for (int i = 0; i < keys.size(); ++i) {
                    if (keys[i] == name)
                        values[i] = valueText(value);
                }
            });
            if (!isObject && skipped)
                ++*skipped; // a line that is not an object
            // The record is the line and a line break: most lines stand so in
            // the data already (no copy; copying each line cost a third of the time).
            const QByteArrayView raw = chunks.recordText();
            if (raw.data() == line.data() && raw.size() == line.size() + 1 && raw.back() == '\n')
                record(raw, isObject ? &values : nullptr);
            else
                record(QByteArray(line.toByteArray() + '\n'), isObject ? &values : nullptr);
        }
        while (!header->ndjson && chunks.nextRecord()) {
            if (!haveHeader) {
                haveHeader = true;
                record(chunks.recordText(), nullptr);
                continue;
            }
            for (int i = 0; i < wanted.size(); ++i)
                values[i] = chunks.field(columnOf[i]);
            record(chunks.recordText(), &values);
        }
        if (progress && !progress(reader.bytesRead()))
            return makeError("cancelled", QStringLiteral("Loading the file was cancelled."));
    }
    return {};
}

Status readExportRows(const ExportSource &source, const QStringList &wanted, const ExportRow &row,
                      const LoadProgress &progress, qint64 *skipped)
{
    return readExportRecords(
            source, wanted,
            [&row](QByteArrayView, const QList<QByteArray> *values) {
                if (values)
                    row(*values);
            },
            progress, skipped);
}

} // namespace openaps::metrics
