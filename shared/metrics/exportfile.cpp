#include "metrics/exportfile.h"

#include "core/csv.h"
#include "metrics/gzipreader.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <memory>

namespace openaps::metrics {

namespace {

constexpr qint64 chunkSize = 1024 * 1024;

// The file's text chunk by chunk (empty at the end), plain or gzip.
class ChunkReader
{
public:
    Status open(const QString &path)
    {
        m_file.setFileName(path);
        if (!m_file.open(QIODevice::ReadOnly))
            return makeError("unreadable",
                             QStringLiteral("The file %1 could not be opened: %2").arg(path, m_file.errorString()));
        if (m_file.peek(2) == QByteArray("\x1f\x8b", 2))
            m_gzip = std::make_unique<GzipReader>(m_file);
        return {};
    }
    Result<QByteArray> next()
    {
        if (m_gzip)
            return m_gzip->read(chunkSize);
        return m_file.read(chunkSize);
    }
    qint64 bytesRead() const { return m_file.pos(); }

private:
    QFile m_file;
    std::unique_ptr<GzipReader> m_gzip;
};

QByteArray jsonText(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::String:
        return value.toString().toUtf8();
    case QJsonValue::Double:
        return QByteArray::number(value.toDouble(), 'g', 17);
    case QJsonValue::Bool:
        return value.toBool() ? QByteArrayLiteral("true") : QByteArrayLiteral("false");
    case QJsonValue::Object:
        return QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact);
    case QJsonValue::Array:
        return QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact);
    default:
        return {};
    }
}

bool looksLikeJson(const QByteArray &text)
{
    for (const char c : text) {
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
            continue;
        return c == '{';
    }
    return false;
}

Error notAnExport(const QString &path)
{
    return makeError("not-export",
                     QStringLiteral("%1 is not a file the researcher API exports (CSV or NDJSON).").arg(path));
}

} // namespace

Result<ExportHeader> readExportHeader(const QString &path)
{
    ChunkReader reader;
    if (Status opened = reader.open(path); !opened)
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
    const qsizetype bom = csv::bomLength(text.constData(), text.size());
    const QByteArray first = text.mid(bom, text.indexOf('\n') < 0 ? -1 : text.indexOf('\n') - bom);
    header.ndjson = looksLikeJson(first);
    if (header.ndjson) {
        const QJsonDocument doc = QJsonDocument::fromJson(first);
        if (!doc.isObject())
            return notAnExport(path);
        header.columns = doc.object().keys();
    } else {
        const QList<QStringList> rows = csv::parse(first + '\n');
        if (rows.isEmpty())
            return makeError("not-export", QStringLiteral("The file %1 is empty.").arg(path));
        for (const QString &column : rows.first())
            header.columns.append(column.trimmed());
    }
    return header;
}

Status readExportRows(const QString &path, const QStringList &wanted, const ExportRow &row,
                      const LoadProgress &progress, qint64 *skipped)
{
    auto header = readExportHeader(path);
    if (!header)
        return header.error();
    ChunkReader file;
    if (Status opened = file.open(path); !opened)
        return opened;
    QList<int> columnOf;
    for (const QString &name : wanted)
        columnOf.append(int(header->columns.indexOf(name)));
    csv::ChunkedReader reader;
    QList<QByteArray> values(wanted.size());
    QByteArray line;
    bool haveHeader = header->ndjson;
    while (!reader.atEnd()) {
        auto chunk = file.next();
        if (!chunk)
            return chunk.error();
        reader.add(*chunk);
        while (header->ndjson && reader.nextLine(line)) {
            const QJsonDocument doc = QJsonDocument::fromJson(line);
            if (!doc.isObject()) {
                if (skipped)
                    ++*skipped;
                continue;
            }
            const QJsonObject object = doc.object();
            for (int i = 0; i < wanted.size(); ++i)
                values[i] = jsonText(object.value(wanted[i]));
            row(values);
        }
        while (!header->ndjson && reader.nextRecord()) {
            if (!haveHeader) {
                haveHeader = true;
                continue;
            }
            for (int i = 0; i < wanted.size(); ++i)
                values[i] = reader.field(columnOf[i]);
            row(values);
        }
        if (progress && !progress(file.bytesRead()))
            return makeError("cancelled", QStringLiteral("Loading the file was cancelled."));
    }
    return {};
}

} // namespace openaps::metrics
