#pragma once
// API keys (the remote server's, the one this computer's server asks for) kept in
// the desktop's secret store (GNOME Keyring, KWallet, through QtKeychain and the
// Secret Service), not in the plain-text settings file. Where there is no secret
// store (a desktop without one, a headless session), the key falls back to the
// settings file, and `where` says so, so the window can tell the user.
#include <QString>

namespace ps::ui {

class ApiKeyStore {
public:
    enum class Place { SecretStore, SettingsFile };

    // `account` names the key ("remote-server", "sharing"). Empty when none is kept.
    static QString read(const QString& account, Place* where = nullptr);
    // An empty key removes it. Returns where it went.
    static Place write(const QString& account, const QString& key);
    // "the desktop's secret store" / "the settings file (no secret store found)".
    static QString describe(Place place);
};

}  // namespace ps::ui
