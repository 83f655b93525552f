#include "records/jsonvalues.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>

#include <cmath>

namespace openaps::records::json {

QJsonValue at(const QJsonObject &object, std::initializer_list<const char *> path)
{
    QJsonValue value(object);
    for (const char *key : path) {
        if (!value.isObject())
            return QJsonValue(QJsonValue::Undefined);
        value = value.toObject().value(QLatin1String(key));
    }
    return value;
}

std::optional<double> number(const QJsonValue &value)
{
    if (value.isDouble()) {
        const double v = value.toDouble();
        return std::isfinite(v) ? std::optional<double>(v) : std::nullopt;
    }
    if (value.isString()) {
        bool ok = false;
        const double v = value.toString().trimmed().toDouble(&ok);
        if (ok && std::isfinite(v))
            return v;
    }
    return std::nullopt;
}

std::optional<bool> boolean(const QJsonValue &value)
{
    if (value.isBool())
        return value.toBool();
    if (value.isDouble())
        return value.toDouble() != 0;
    if (value.isString()) {
        const QString s = value.toString().trimmed().toLower();
        if (s == QLatin1String("true") || s == QLatin1String("1") || s == QLatin1String("yes"))
            return true;
        if (s == QLatin1String("false") || s == QLatin1String("0") || s == QLatin1String("no"))
            return false;
    }
    return std::nullopt;
}

QByteArray text(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::String:
        return value.toString().toUtf8();
    case QJsonValue::Double: {
        const double v = value.toDouble();
        if (std::floor(v) == v && std::fabs(v) < 1e15)
            return QByteArray::number(qint64(v));
        return QByteArray::number(v, 'g', 15);
    }
    case QJsonValue::Bool:
        return value.toBool() ? QByteArrayLiteral("true") : QByteArrayLiteral("false");
    case QJsonValue::Object:
        return QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact);
    case QJsonValue::Array:
        return QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact);
    default:
        return {};
    }
}

std::optional<int> utcOffset(const QJsonValue &value)
{
    const auto v = number(value);
    // Real offsets lie within -12:00 .. +14:00.
    if (!v || std::fabs(*v) > 16 * 60 || std::floor(*v) != *v)
        return std::nullopt;
    return int(*v);
}

QByteArray documentId(const QJsonObject &object)
{
    for (const char *key : { "_id", "id", "uuid" }) {
        QJsonValue v = object.value(QLatin1String(key));
        if (v.isObject())
            v = v.toObject().value(QLatin1String("$oid"));
        QByteArray id = text(v);
        if (!id.isEmpty() && !v.isObject() && !v.isArray())
            return id;
    }
    return {};
}

QByteArray syntheticId(const QJsonObject &object)
{
    // QJsonObject keeps its keys sorted, so this is canonical.
    const QByteArray canonical = QJsonDocument(object).toJson(QJsonDocument::Compact);
    return QByteArrayLiteral("sha1:") + QCryptographicHash::hash(canonical, QCryptographicHash::Sha1).toHex();
}

} // namespace openaps::records::json
