#include "etl/jsonfields.h"

#include "records/jsonvalues.h"
#include "records/nstime.h"

namespace openaps::etl::json {

using namespace records::json;

void setReal(Field &field, const QJsonValue &value)
{
    if (auto v = number(value))
        field.setReal(*v);
}

void setText(Field &field, const QJsonValue &value)
{
    QByteArray t = text(value);
    if (!t.isNull())
        field.setText(std::move(t));
}

void setBool(Field &field, const QJsonValue &value)
{
    if (auto v = boolean(value))
        field.setBool(*v);
}

void setTime(Field &field, const QJsonValue &value)
{
    if (auto t = records::parseNsTime(value))
        field.setTime(t->ms);
}

} // namespace openaps::etl::json
