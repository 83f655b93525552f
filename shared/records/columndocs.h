#pragma once

#include <QString>

#include <optional>

// What each exported column means and how privacy treats it: the one list
// the README's data dictionary ("What researchers receive") is checked
// against (tests/unit/api/tst_datadictionary.cpp), and that the API can
// serve beside the column types (api/export/datasets.h).
namespace openaps::records {

struct ColumnDoc
{
    QString description;
    QString unit; // empty: none
    QString source; // where the value comes from (Nightscout field, survey question)
    QString privacy; // its treatment (privacy/recordscrub.h, README)
};

// The documentation of `column` in `dataset` (a dataset is named by its
// table), or nullopt for a column nobody documented (a test fails then).
std::optional<ColumnDoc> columnDoc(const QString &dataset, const QString &column);

} // namespace openaps::records
