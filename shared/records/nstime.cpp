#include "records/nstime.h"

#include <QJsonObject>
#include <QJsonValue>

#include <cmath>

namespace openaps::records {

namespace {

// A small cursor over the text; every reader returns false on a mismatch.
class Cursor
{
public:
    explicit Cursor(QStringView text) : m_text(text) { }

    bool atEnd() const { return m_pos >= m_text.size(); }
    QChar peek() const { return atEnd() ? QChar() : m_text[m_pos]; }
    bool take(QChar c)
    {
        if (peek() != c)
            return false;
        ++m_pos;
        return true;
    }
    bool digits(int count, int &out)
    {
        if (m_pos + count > m_text.size())
            return false;
        int value = 0;
        for (int i = 0; i < count; ++i) {
            const QChar c = m_text[m_pos + i];
            if (!c.isDigit())
                return false;
            value = value * 10 + c.digitValue();
        }
        m_pos += count;
        out = value;
        return true;
    }
    // Fractional seconds of any precision, as milliseconds.
    int fraction()
    {
        int ms = 0;
        int scale = 100;
        while (!atEnd() && peek().isDigit()) {
            ms += peek().digitValue() * scale;
            scale /= 10;
            ++m_pos;
        }
        return ms;
    }
    QStringView rest() const { return m_text.mid(m_pos); }
    void skip(qsizetype n) { m_pos += n; }

private:
    QStringView m_text;
    qsizetype m_pos = 0;
};

// "Z", "+01:00", "+0100", "-07", or nothing. Returns false on garbage.
bool readOffset(Cursor &c, std::optional<int> &offset)
{
    if (c.atEnd())
        return true;
    // "Z" marks a UTC rendering, not the writer's local offset: it states
    // nothing about the participant's time zone.
    if (c.take(QLatin1Char('Z')) || c.take(QLatin1Char('z')))
        return c.atEnd();
    const QChar sign = c.peek();
    if (sign != QLatin1Char('+') && sign != QLatin1Char('-'))
        return false;
    c.take(sign);
    int hours = 0;
    int minutes = 0;
    if (!c.digits(2, hours))
        return false;
    c.take(QLatin1Char(':'));
    if (!c.atEnd() && !c.digits(2, minutes))
        return false;
    if (hours > 14 || minutes > 59)
        return false;
    const int total = hours * 60 + minutes;
    offset = sign == QLatin1Char('-') ? -total : total;
    return true;
}

std::optional<NsTime> makeTime(int y, int mo, int d, int h, int mi, int s, int ms, std::optional<int> offset)
{
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
        return std::nullopt;
    const qint64 days = daysFromCivil(y, mo, d);
    qint64 local = ((days * 24 + h) * 60 + mi) * 60 + s;
    local = local * 1000 + ms;
    NsTime t;
    t.ms = local - qint64(offset.value_or(0)) * 60000;
    t.offsetMinutes = offset;
    return t;
}

std::optional<NsTime> parseIso(QStringView text)
{
    Cursor c(text);
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, ms = 0;
    if (!c.digits(4, y) || !c.take(QLatin1Char('-')) || !c.digits(2, mo) || !c.take(QLatin1Char('-'))
        || !c.digits(2, d))
        return std::nullopt;
    std::optional<int> offset;
    if (!c.atEnd()) {
        if (!c.take(QLatin1Char('T')) && !c.take(QLatin1Char(' ')))
            return std::nullopt;
        if (!c.digits(2, h) || !c.take(QLatin1Char(':')) || !c.digits(2, mi))
            return std::nullopt;
        if (c.take(QLatin1Char(':'))) {
            if (!c.digits(2, s))
                return std::nullopt;
            if (c.take(QLatin1Char('.')) || c.take(QLatin1Char(',')))
                ms = c.fraction();
        }
        c.take(QLatin1Char(' '));
        if (!readOffset(c, offset) || !c.atEnd())
            return std::nullopt;
    }
    return makeTime(y, mo, d, h, mi, s, ms, offset);
}

// "Sat Oct 22 2016 11:45:22 GMT-0700 (PDT)", as JavaScript's Date.toString()
// wrote into some old uploaders' dateString.
std::optional<NsTime> parseJsDate(QStringView text)
{
    static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    if (text.size() < 24 || text[3] != QLatin1Char(' '))
        return std::nullopt;
    int month = 0;
    for (int i = 0; i < 12; ++i) {
        if (text.mid(4, 3) == QLatin1String(months[i]))
            month = i + 1;
    }
    if (month == 0)
        return std::nullopt;
    Cursor c(text.mid(8));
    int d = 0, y = 0, h = 0, mi = 0, s = 0;
    if (!c.digits(2, d) || !c.take(QLatin1Char(' ')) || !c.digits(4, y) || !c.take(QLatin1Char(' ')) || !c.digits(2, h)
        || !c.take(QLatin1Char(':')) || !c.digits(2, mi) || !c.take(QLatin1Char(':')) || !c.digits(2, s))
        return std::nullopt;
    std::optional<int> offset;
    if (c.rest().startsWith(QLatin1String(" GMT"))) {
        c.skip(4);
        QStringView zone = c.rest();
        const qsizetype space = zone.indexOf(QLatin1Char(' '));
        Cursor z(space < 0 ? zone : zone.left(space));
        if (!readOffset(z, offset))
            return std::nullopt;
    }
    return makeTime(y, month, d, h, mi, s, 0, offset);
}

} // namespace

std::optional<NsTime> parseEpoch(double number)
{
    if (!std::isfinite(number) || number <= 0)
        return std::nullopt;
    // Milliseconds since 1970 are around 1.5e12 for this data; a value below
    // 1e11 can only be seconds (it would be before March 1973 in ms).
    if (number < 1e11)
        number *= 1000;
    if (number > 4.1e12) // after year 2100: not a reading
        return std::nullopt;
    NsTime t;
    t.ms = qint64(std::llround(number));
    return t;
}

std::optional<NsTime> parseNsTimeText(QStringView text)
{
    text = text.trimmed();
    if (text.isEmpty())
        return std::nullopt;
    const QChar first = text[0];
    if (first.isDigit() && text.size() >= 5 && text[4] == QLatin1Char('-'))
        return parseIso(text);
    if (first.isDigit()) {
        bool ok = false;
        const double number = text.toDouble(&ok);
        return ok ? parseEpoch(number) : std::nullopt;
    }
    return parseJsDate(text);
}

std::optional<NsTime> parseNsTime(const QJsonValue &value)
{
    if (value.isDouble())
        return parseEpoch(value.toDouble());
    if (value.isString())
        return parseNsTimeText(value.toString());
    if (value.isObject()) // mongoexport: {"$date": ...}
        return parseNsTime(value.toObject().value(QLatin1String("$date")));
    return std::nullopt;
}

QByteArray formatUtc(qint64 ms)
{
    qint64 days = ms >= 0 ? ms / 86400000 : (ms - 86399999) / 86400000;
    qint64 inDay = ms - days * 86400000;
    int y = 0, mo = 0, d = 0;
    civilFromDays(days, y, mo, d);
    const int h = int(inDay / 3600000);
    const int mi = int(inDay / 60000 % 60);
    const int s = int(inDay / 1000 % 60);
    const int milli = int(inDay % 1000);
    char buffer[32];
    auto put = [&buffer](int at, int value, int width) {
        for (int i = width - 1; i >= 0; --i) {
            buffer[at + i] = char('0' + value % 10);
            value /= 10;
        }
    };
    put(0, y, 4);
    buffer[4] = '-';
    put(5, mo, 2);
    buffer[7] = '-';
    put(8, d, 2);
    buffer[10] = 'T';
    put(11, h, 2);
    buffer[13] = ':';
    put(14, mi, 2);
    buffer[16] = ':';
    put(17, s, 2);
    buffer[19] = '.';
    put(20, milli, 3);
    buffer[23] = 'Z';
    return QByteArray(buffer, 24);
}

QString formatUtcString(qint64 ms)
{
    return QString::fromLatin1(formatUtc(ms));
}

} // namespace openaps::records
