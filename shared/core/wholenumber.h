#pragma once

#include <QJsonValue>

#include <limits>
#include <optional>

namespace openaps {

// The integer a JSON number holds, or nullopt for anything else: a string,
// a fraction, or a number beyond qint64. Casting such a double straight to
// qint64 is undefined behaviour (UBSan's float-cast-overflow, found by the
// fuzz targets in answers like "expires_in": 1e300); Qt checks the range.
inline std::optional<qint64> wholeNumber(const QJsonValue &value)
{
    constexpr qint64 none = std::numeric_limits<qint64>::min();
    const qint64 whole = value.toInteger(none);
    if (whole == none)
        return std::nullopt;
    return whole;
}

} // namespace openaps
