#include "synthetic/isotime.h"

#include "core/civildate.h"
#include "synthetic/hashing.h"

namespace openaps::synthetic::detail {

namespace {

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
    civil::civilFromDays(days, y, m, d);
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
