// Nightscout time fields: the text shapes (ISO-8601 with offsets,
// JavaScript Date.toString, epoch numbers as text) and JSON values; an
// instant read back from its stored UTC form is the same instant.

#include "records/nstime.h"
#include "fuzzsupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonValue>

#include <cstring>

using namespace openaps;

namespace {

void roundTrip(const records::NsTime &time)
{
    // formatUtc writes four-digit years: 0000-01-01 to 9999-12-31.
    if (time.ms < -62167219200000 || time.ms > 253402300799999)
        return;
    const auto again = records::parseNsTimeText(records::formatUtcString(time.ms));
    if (!again || again->ms != time.ms || again->offsetMinutes)
        fuzz::fail("nstime", QStringLiteral("round trip of %1 failed").arg(time.ms));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray input = fuzz::bytes(data, size);
    if (auto time = records::parseNsTimeText(QString::fromUtf8(input)))
        roundTrip(*time);
    if (auto time = records::parseNsTime(QJsonValue(QString::fromUtf8(input))))
        roundTrip(*time);
    // As a JSON value: a number, a string, or anything else.
    const QJsonDocument doc = QJsonDocument::fromJson("[" + input + "]");
    if (doc.isArray() && !doc.array().isEmpty()) {
        if (auto time = records::parseNsTime(doc.array().first()))
            roundTrip(*time);
    }
    if (size == sizeof(double)) {
        double number;
        memcpy(&number, data, sizeof number);
        if (auto time = records::parseEpoch(number))
            roundTrip(*time);
    }
    return 0;
}
