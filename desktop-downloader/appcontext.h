#pragma once

class QSettings;

namespace openaps::researcher {
class ApiClient;
}

namespace openaps::desktop {

class Units;

// The collaborators every window gets from main(): the API client (which
// holds the only copy of the sign-in token) and the settings store (server
// address, email, folders: never a password or token).
struct AppContext
{
    researcher::ApiClient *api = nullptr;
    QSettings *settings = nullptr;
    // mg/dL or mmol/L for every chart, table and report (units.h); the main
    // window makes one from the settings when main() gives none.
    Units *units = nullptr;
};

} // namespace openaps::desktop
