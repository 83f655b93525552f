#pragma once

#include <QObject>
#include <QString>

class QSettings;

namespace openaps::desktop {

// How glucose is shown. Everything is computed in mg/dL (shared/metrics);
// only charts, tables and reports convert, with the factor the consensus
// reports use (1 mmol/L glucose = 18.01559 mg/dL).
enum class GlucoseUnit { MgDl, MmolL };
inline constexpr double mgdlPerMmol = 18.01559;

double toUnit(double mgdl, GlucoseUnit unit);
// "mg/dL" or "mmol/L".
QString unitName(GlucoseUnit unit);
// Decimals a value is shown with: 0 for mg/dL, 1 for mmol/L.
int unitDecimals(GlucoseUnit unit);
// A glucose value as shown in tables and reports: "154" or "8.5", no unit.
QString formatGlucose(double mgdl, GlucoseUnit unit, int extraDecimals = 0);
// "mmol", "mmol/L", "mg/dL", "mgdl" (any case); nullopt-like false in *ok otherwise.
GlucoseUnit parseUnit(const QString &text, bool *ok = nullptr);

// The researcher's choice, remembered in the settings ("display/glucoseUnit").
// One per window; every chart, table and report of the window follows it
// through changed().
class Units final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Units)

public:
    explicit Units(QSettings *settings, QObject *parent = nullptr);
    GlucoseUnit unit() const { return m_unit; }
    void setUnit(GlucoseUnit unit);

signals:
    void changed(openaps::desktop::GlucoseUnit unit);

private:
    QSettings *m_settings;
    GlucoseUnit m_unit = GlucoseUnit::MgDl;
};

} // namespace openaps::desktop
