#include "survey/surveylog.h"

namespace openaps::survey {

Q_LOGGING_CATEGORY(lcSurvey, "openaps.server.survey", QtInfoMsg)

} // namespace openaps::survey
