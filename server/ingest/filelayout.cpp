#include "ingest/filelayout.h"

#include "records/datatype.h"

namespace openaps::ingest {

ns::Collection collectionOf(records::DataType type)
{
    switch (type) {
    case records::DataType::Entries:
        return ns::Collection::Entries;
    case records::DataType::Treatments:
        return ns::Collection::Treatments;
    case records::DataType::DeviceStatus:
        return ns::Collection::DeviceStatus;
    case records::DataType::Profile:
        return ns::Collection::Profiles;
    }
    return ns::Collection::Entries;
}

} // namespace openaps::ingest
