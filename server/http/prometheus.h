#pragma once

#include <QList>
#include <QPair>
#include <QString>

namespace openaps::http {

// Builds the Prometheus text exposition format (version 0.0.4): a family
// header, then its samples. Label values are escaped as the format asks.
class PrometheusText
{
public:
    using Labels = QList<QPair<QString, QString>>;

    void family(const char *name, const char *type, const char *help);
    void sample(const char *name, double value, const Labels &labels = {});

    const QString &text() const { return m_text; }

private:
    QString m_text;
};

} // namespace openaps::http
