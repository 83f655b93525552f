#include "synthetic/isotime.h"

#include "synthetic/hashing.h"

namespace openaps::synthetic::detail {

namespace {

// Days since 1970-01-01 to civil date (proleptic Gregorian), after
// H. Hinnant's public-domain algorithm.
void civilFromDays(qint64 z, int &y, int &m, int &d)
{
    z += 719468;
    const qint64 era = (z >= 0 ? z : z - 146096) / 146097;
    const qint64 doe = z - era * 146097;
    const qint64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const qint64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const qint64 mp = (5 * doy + 2) / 153;
    d = int(doy - (153 * mp + 2) / 5 + 1);
    m = int(mp < 10 ? mp + 3 : mp - 9);
    y = int(yoe + era * 400 + (m <= 2));
}

void put(char *&p, int value, int digits)
{
    for (int i = digits - 1; i >= 0; --i) {
        p[i] = char('0' + value % 10);
        value /= 10;
    }
    p += digits;
}

} // namespace

QString isoTime(qint64 utcMs, int offsetSeconds, bool utc, bool millis)
{
    const qint64 local = utcMs + (utc ? 0 : qint64(offsetSeconds) * 1000);
    const qint64 days = floorDiv(local, kDay);
    const qint64 msOfDay = local - days * kDay;
    int y, m, d;
    civilFromDays(days, y, m, d);
    char buffer[40];
    char *p = buffer;
    put(p, y, 4);
    *p++ = '-';
    put(p, m, 2);
    *p++ = '-';
    put(p, d, 2);
    *p++ = 'T';
    put(p, int(msOfDay / kHour), 2);
    *p++ = ':';
    put(p, int(msOfDay / kMinute % 60), 2);
    *p++ = ':';
    put(p, int(msOfDay / 1000 % 60), 2);
    if (millis) {
        *p++ = '.';
        put(p, int(msOfDay % 1000), 3);
    }
    if (utc) {
        *p++ = 'Z';
    } else {
        const int minutes = offsetSeconds / 60;
        *p++ = minutes < 0 ? '-' : '+';
        const int abs = minutes < 0 ? -minutes : minutes;
        put(p, abs / 60, 2);
        *p++ = ':';
        put(p, abs % 60, 2);
    }
    return QString::fromLatin1(buffer, int(p - buffer));
}

} // namespace openaps::synthetic::detail
