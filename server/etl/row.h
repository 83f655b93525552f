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

    Field() : integer(0) { }
    bool isNull() const { return kind == Null; }
    void clear()
    {
        kind = Null;
        bytes.clear();
    }
    void setReal(double v)
    {
        kind = Real;
        real = v;
    }
    void setInteger(qint64 v)
    {
        kind = Integer;
        integer = v;
    }
    void setBool(bool v)
    {
        kind = Bool;
        boolean = v;
    }
    void setTime(qint64 v)
    {
        kind = Time;
        ms = v;
    }
    void setText(QByteArray v)
    {
        kind = Text;
        bytes = std::move(v);
    }
    void setJson(QByteArray v)
    {
        kind = Json;
        bytes = std::move(v);
    }
};

using Row = std::vector<Field>;

// A row of `spec`'s columns, all NULL.
inline Row emptyRow(const records::TableSpec &spec)
{
    return Row(spec.columns.size());
}

} // namespace openaps::etl
