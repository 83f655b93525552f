#pragma once

#include <QLoggingCategory>

namespace openaps::survey {

// openaps.server.survey: importing the demographics surveys.
Q_DECLARE_LOGGING_CATEGORY(lcSurvey)

} // namespace openaps::survey
