#pragma once

#include "synthetic/participantmodel.h"

#include <QJsonObject>

#include <vector>

namespace openaps::synthetic::detail {

struct Item
{
    qint64 at; // the record's instant, UTC ms
    QJsonObject record;
};

// Each appends the records with at in [from, to), in any order.
void buildEntries(const ParticipantModel &model, qint64 from, qint64 to, std::vector<Item> &out);
void buildTreatments(const ParticipantModel &model, qint64 from, qint64 to, std::vector<Item> &out);
void buildDeviceStatus(const ParticipantModel &model, qint64 from, qint64 to, std::vector<Item> &out);
void buildProfiles(const ParticipantModel &model, qint64 from, qint64 to, std::vector<Item> &out);

// Helpers shared by the builders.
QJsonValue number(double value, bool asString); // the "numbers as strings" shape
QString withNul(const QString &device, bool nul); // the "NUL in device" shape
double round2(double value);

// Local days whose events may fall in [from, to).
qint64 firstDay(const ParticipantModel &model, qint64 from);
qint64 lastDay(const ParticipantModel &model, qint64 to);

} // namespace openaps::synthetic::detail
