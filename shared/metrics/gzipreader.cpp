#include "metrics/gzipreader.h"

#include "core/gzip.h"

#include <QIODevice>

namespace openaps::metrics {

namespace {
constexpr qint64 inputChunk = 256 * 1024;
}

struct GzipReader::State
{
    gzip::Inflater inflater;
    QByteArray input;
    qsizetype inputPos = 0; // bytes of `input` already inflated
    bool ok = true;
};

GzipReader::GzipReader(QIODevice &device) : m_device(device), m_state(std::make_unique<State>()) { }

GzipReader::~GzipReader() = default;

Result<QByteArray> GzipReader::read(qint64 max)
{
    State &s = *m_state;
    if (!s.ok)
        return makeError("corrupt", QStringLiteral("The compressed file is damaged."));
    QByteArray out(max, Qt::Uninitialized);
    qsizetype produced = 0;
    while (produced < max) {
        if (s.inputPos == s.input.size()) {
            s.input = m_device.read(inputChunk);
            s.inputPos = 0;
            if (s.input.isEmpty()) {
                if (!s.inflater.atMemberEnd())
                    return makeError("truncated",
                                     QStringLiteral("The compressed file ends too early: it is incomplete."));
                break;
            }
        }
        const auto step = s.inflater.inflate(s.input.constData() + s.inputPos, s.input.size() - s.inputPos,
                                             out.data() + produced, max - produced);
        s.inputPos += step.consumed;
        produced += step.produced;
        if (step.status == gzip::Inflater::Status::Corrupt) {
            s.ok = false;
            return makeError("corrupt", QStringLiteral("The compressed file is damaged."));
        }
    }
    out.resize(produced);
    return out;
}

} // namespace openaps::metrics
