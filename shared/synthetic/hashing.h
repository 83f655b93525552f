#pragma once

#include <QtGlobal>

// Counter-based randomness: every random choice is a hash of the seed and
// of what is being decided, never a running generator, so any time window
// can be generated on its own and comes out the same.
namespace openaps::synthetic::detail {

inline quint64 mix(quint64 x)
{
    // splitmix64 finaliser
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

// What a hash decides about; keeps streams independent.
enum Stream : quint64 {
    StreamCgmNoise = 1,
    StreamCgmGap,
    StreamKnot,
    StreamDay,
    StreamMeal,
    StreamBasal,
    StreamSmb,
    StreamStatus,
    StreamMess,
    StreamId,
    StreamProfile,
    StreamRig,
};

inline quint64 hash(quint64 seed, quint64 stream, qint64 index, quint64 salt = 0)
{
    return mix(seed ^ mix(stream * 0x100000001b3ULL ^ mix(quint64(index) ^ (salt << 48))));
}

// Uniform in [0, 1).
inline double unit(quint64 h)
{
    return double(h >> 11) * (1.0 / 9007199254740992.0);
}

inline double uniform(quint64 h, double lo, double hi)
{
    return lo + (hi - lo) * unit(h);
}

constexpr qint64 kMinute = 60 * 1000;
constexpr qint64 kFiveMinutes = 5 * kMinute;
constexpr qint64 kHour = 60 * kMinute;
constexpr qint64 kDay = 24 * kHour;

inline qint64 floorDiv(qint64 a, qint64 b)
{
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

} // namespace openaps::synthetic::detail
