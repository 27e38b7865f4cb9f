#pragma once
// The preferences of Settings -> Sharing, stored with QSettings (keys in the
// secret store, api_key_store.h): serving this computer's model and apps over
// HTTP, and running apps on a remote OpenAI-compatible server, for all apps or
// app by app.
#include <QString>

namespace ps::ui {

enum class AppBackendChoice { Default, Local, Remote };

class SharingPreferences {
public:
    // --- This computer's server
    bool serving() const;
    void setServing(bool value);
    bool servingBeyondThisComputer() const;  // listen on every address (needs a key)
    void setServingBeyondThisComputer(bool value);
    int servingPort() const;
    void setServingPort(int value);
    QString servingKey() const;
    void setServingKey(const QString& value);

    // --- A remote server for the runs
    bool remoteByDefault() const;  // every app runs remotely unless it says otherwise
    void setRemoteByDefault(bool value);
    QString remoteBaseUrl() const;
    void setRemoteBaseUrl(const QString& value);
    QString remoteModel() const;  // empty = the first the server lists
    void setRemoteModel(const QString& value);
    QString remoteKey() const;
    void setRemoteKey(const QString& value);

    // One app's choice (by its file); Default follows remoteByDefault().
    AppBackendChoice appChoice(const QString& appPath) const;
    void setAppChoice(const QString& appPath, AppBackendChoice choice);
    // Whether this app runs on the remote server, all choices considered.
    bool runsRemotely(const QString& appPath) const;
};

}  // namespace ps::ui
