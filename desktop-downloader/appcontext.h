#pragma once

class QSettings;

namespace openaps::researcher {
class ApiClient;
}

namespace openaps::desktop {

class Library;
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
    // Everything downloaded (library.h); the main window makes one on the
    // settings when main() gives none.
    Library *library = nullptr;
};

} // namespace openaps::desktop
