#include "http/prometheus.h"

namespace openaps::http {

namespace {

QString escapeLabelValue(QString value)
{
    value.replace(QLatin1Char('\\'), QLatin1String("\\\\"));
    value.replace(QLatin1Char('"'), QLatin1String("\\\""));
    value.replace(QLatin1Char('\n'), QLatin1String("\\n"));
    return value;
}

} // namespace

void PrometheusText::family(const char *name, const char *type, const char *help)
{
    m_text += QLatin1String("# HELP ") + QLatin1String(name) + QLatin1Char(' ') + QLatin1String(help)
            + QLatin1String("\n# TYPE ") + QLatin1String(name) + QLatin1Char(' ') + QLatin1String(type)
            + QLatin1Char('\n');
}

void PrometheusText::sample(const char *name, double value, const Labels &labels)
{
    m_text += QLatin1String(name);
    if (!labels.isEmpty()) {
        QStringList parts;
        for (const auto &[key, labelValue] : labels)
            parts << key + QLatin1String("=\"") + escapeLabelValue(labelValue) + QLatin1Char('"');
        m_text += QLatin1Char('{') + parts.join(QLatin1Char(',')) + QLatin1Char('}');
    }
    m_text += QLatin1Char(' ') + QString::number(value, 'g', 15) + QLatin1Char('\n');
}

} // namespace openaps::http
