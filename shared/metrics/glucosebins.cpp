#include "metrics/glucosebins.h"

#include <QByteArray>

#include <algorithm>
#include <charconv>
#include <string>

namespace openaps::metrics {

void BinSum::add(const BinSum &other)
{
    if (other.count == 0)
        return;
    min = count > 0 ? std::min(min, other.min) : other.min;
    max = count > 0 ? std::max(max, other.max) : other.max;
    count += other.count;
    sum += other.sum;
}

// Hand-written with std::to_chars/from_chars: a year of days is ~35,000
// bins to write and read again, and QString::arg took most of a refresh.
QString encodeBins(const GlucoseBins &bins)
{
    std::string out;
    out.reserve(bins.size() * 24);
    char buffer[32];
    const auto append = [&out, &buffer](auto value) {
        out.append(buffer, std::to_chars(buffer, buffer + sizeof buffer, value).ptr);
    };
    for (size_t i = 0; i < bins.size(); ++i) {
        const BinSum &b = bins[i];
        if (b.count == 0)
            continue;
        if (!out.empty())
            out += ';';
        append(i);
        out += ' ';
        append(b.count);
        for (const double v : { b.sum, b.min, b.max }) {
            out += ' ';
            append(v);
        }
    }
    // Never a null string: the column is NOT NULL.
    return QString::fromLatin1(out.data(), qsizetype(out.size()));
}

void addBins(const QString &text, GlucoseBins &bins)
{
    const QByteArray bytes = text.toLatin1();
    const char *p = bytes.constData();
    const char *const end = p + bytes.size();
    while (p < end) {
        const char *const partEnd = std::find(p, end, ';');
        int i = -1;
        BinSum b;
        double *const reals[] = { &b.sum, &b.min, &b.max };
        auto r = std::from_chars(p, partEnd, i);
        bool ok = r.ec == std::errc() && r.ptr < partEnd && *r.ptr == ' ';
        if (ok) {
            r = std::from_chars(r.ptr + 1, partEnd, b.count);
            ok = r.ec == std::errc();
        }
        for (double *v : reals) {
            ok = ok && r.ptr < partEnd && *r.ptr == ' ';
            if (ok) {
                r = std::from_chars(r.ptr + 1, partEnd, *v);
                ok = r.ec == std::errc();
            }
        }
        if (ok && r.ptr == partEnd && i >= 0 && i < metrics::agpBinCount)
            bins[size_t(i)].add(b);
        p = partEnd + 1;
    }
}

void addTo(GlucoseBins &sum, const GlucoseBins &bins)
{
    for (size_t i = 0; i < sum.size(); ++i)
        sum[i].add(bins[i]);
}

} // namespace openaps::metrics
