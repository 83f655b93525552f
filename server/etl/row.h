#pragma once

#include "records/researchtables.h"

#include <QByteArray>

#include <vector>

namespace openaps::etl {

// One value of a research row. Text and Json hold UTF-8; Time holds epoch ms.
struct Field
{
    enum Kind : quint8 { Null, Real, Integer, Bool, Text, Time, Json };
    Kind kind = Null;
    union {
        double real;
        qint64 integer;
        bool boolean;
        qint64 ms;
    };
    QByteArray bytes;

    // One member of the union is enough.
    Field() : integer(0) { } // NOLINT(cppcoreguidelines-pro-type-member-init)
    bool isNull() const { return kind == Null; }
    void clear()
    {
        kind = Null;
        bytes.clear();
    }
    void setReal(double v) { set(Real, real, v); }
    void setInteger(qint64 v) { set(Integer, integer, v); }
    void setBool(bool v) { set(Bool, boolean, v); }
    void setTime(qint64 v) { set(Time, ms, v); }
    void setText(QByteArray v) { set(Text, bytes, std::move(v)); }
    void setJson(QByteArray v) { set(Json, bytes, std::move(v)); }

private:
    template <typename T> void set(Kind k, T &slot, T v)
    {
        kind = k;
        slot = std::move(v);
    }
};

using Row = std::vector<Field>;

// A row of `spec`'s columns, all NULL.
inline Row emptyRow(const records::TableSpec &spec)
{
    return Row(spec.columns.size());
}

} // namespace openaps::etl
