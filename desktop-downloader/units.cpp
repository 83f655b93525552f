#include "units.h"

#include <QLocale>
#include <QSettings>

namespace openaps::desktop {

namespace {
const QString settingsKey = QStringLiteral("display/glucoseUnit");
}

double toUnit(double mgdl, GlucoseUnit unit)
{
    return unit == GlucoseUnit::MmolL ? mgdl / mgdlPerMmol : mgdl;
}

QString unitName(GlucoseUnit unit)
{
    return unit == GlucoseUnit::MmolL ? QStringLiteral("mmol/L") : QStringLiteral("mg/dL");
}

int unitDecimals(GlucoseUnit unit)
{
    return unit == GlucoseUnit::MmolL ? 1 : 0;
}

QString formatGlucose(double mgdl, GlucoseUnit unit, int extraDecimals)
{
    return QLocale().toString(toUnit(mgdl, unit), 'f', unitDecimals(unit) + extraDecimals);
}

GlucoseUnit parseUnit(const QString &text, bool *ok)
{
    const QString t = text.trimmed().toLower();
    const bool mmol = t == QLatin1String("mmol") || t == QLatin1String("mmol/l");
    const bool mgdl = t == QLatin1String("mg/dl") || t == QLatin1String("mgdl") || t == QLatin1String("mg");
    if (ok)
        *ok = mmol || mgdl;
    return mmol ? GlucoseUnit::MmolL : GlucoseUnit::MgDl;
}

Units::Units(QSettings *settings, QObject *parent) : QObject(parent), m_settings(settings)
{
    if (m_settings)
        m_unit = parseUnit(m_settings->value(settingsKey).toString());
}

void Units::setUnit(GlucoseUnit unit)
{
    if (unit == m_unit)
        return;
    m_unit = unit;
    if (m_settings)
        m_settings->setValue(settingsKey, unitName(unit));
    emit changed(unit);
}

} // namespace openaps::desktop
