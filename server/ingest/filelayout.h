#pragma once

#include "nightscout/collection.h"
#include "records/datatype.h"

#include <QString>

// Where the ingest reads each data type (the URL file's content is
// records/urlfile.h, the files' names records/filenames.h).
namespace openaps::ingest {

// The Nightscout collection a type is read from.
ns::Collection collectionOf(records::DataType type);

} // namespace openaps::ingest
