#pragma once

class QSettings;

namespace openaps::researcher {
class ApiClient;
}

namespace openaps::desktop {

// The collaborators every window gets from main(): the API client (which
// holds the only copy of the sign-in token) and the settings store (server
// address, email, folders: never a password or token).
struct AppContext
{
    researcher::ApiClient *api = nullptr;
    QSettings *settings = nullptr;
};

} // namespace openaps::desktop
