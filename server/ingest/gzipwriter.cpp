#include "ingest/gzipwriter.h"

#include <utility>

namespace openaps::ingest {

gzip::Deflater &GzipWriter::deflater()
{
    if (!m_deflater)
        m_deflater.emplace(m_level);
    return *m_deflater;
}

void GzipWriter::write(const QByteArray &bytes)
{
    m_inputBytes += bytes.size();
    deflater().write(bytes, m_output);
}

QByteArray GzipWriter::finish()
{
    deflater().finish(m_output);
    m_deflater.reset();
    m_inputBytes = 0;
    return std::exchange(m_output, QByteArray());
}

} // namespace openaps::ingest
