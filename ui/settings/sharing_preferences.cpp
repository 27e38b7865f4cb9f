#include "settings/sharing_preferences.h"

#include <QCryptographicHash>
#include <QSettings>

#include "settings/api_key_store.h"

namespace ps::ui {

namespace {

QVariant read(const QString& key, const QVariant& fallback) { return QSettings().value(key, fallback); }
void write(const QString& key, const QVariant& value) { QSettings().setValue(key, value); }

// QSettings keys cannot hold every path: a hash of it.
QString appKey(const QString& appPath) {
    return QStringLiteral("remote/apps/%1")
        .arg(QString::fromLatin1(QCryptographicHash::hash(appPath.toUtf8(), QCryptographicHash::Sha1).toHex()));
}

}  // namespace

bool SharingPreferences::serving() const { return read("sharing/enabled", false).toBool(); }
void SharingPreferences::setServing(bool value) { write("sharing/enabled", value); }
bool SharingPreferences::servingBeyondThisComputer() const { return read("sharing/allAddresses", false).toBool(); }
void SharingPreferences::setServingBeyondThisComputer(bool value) { write("sharing/allAddresses", value); }
int SharingPreferences::servingPort() const { return read("sharing/port", 8080).toInt(); }
void SharingPreferences::setServingPort(int value) { write("sharing/port", value); }
QString SharingPreferences::servingKey() const { return ApiKeyStore::read("sharing"); }
void SharingPreferences::setServingKey(const QString& value) {
    if (value != servingKey()) ApiKeyStore::write("sharing", value);
}

bool SharingPreferences::remoteByDefault() const { return read("remote/byDefault", false).toBool(); }
void SharingPreferences::setRemoteByDefault(bool value) { write("remote/byDefault", value); }
QString SharingPreferences::remoteBaseUrl() const { return read("remote/baseUrl", QString()).toString(); }
void SharingPreferences::setRemoteBaseUrl(const QString& value) { write("remote/baseUrl", value.trimmed()); }
QString SharingPreferences::remoteModel() const { return read("remote/model", QString()).toString(); }
void SharingPreferences::setRemoteModel(const QString& value) { write("remote/model", value.trimmed()); }
QString SharingPreferences::remoteKey() const { return ApiKeyStore::read("remote-server"); }
void SharingPreferences::setRemoteKey(const QString& value) {
    if (value != remoteKey()) ApiKeyStore::write("remote-server", value);
}

AppBackendChoice SharingPreferences::appChoice(const QString& appPath) const {
    if (appPath.isEmpty()) return AppBackendChoice::Default;
    return static_cast<AppBackendChoice>(read(appKey(appPath), 0).toInt());
}

void SharingPreferences::setAppChoice(const QString& appPath, AppBackendChoice choice) {
    if (appPath.isEmpty()) return;
    if (choice == AppBackendChoice::Default) {
        QSettings().remove(appKey(appPath));
    } else {
        write(appKey(appPath), static_cast<int>(choice));
    }
}

bool SharingPreferences::runsRemotely(const QString& appPath) const {
    if (remoteBaseUrl().isEmpty()) return false;
    switch (appChoice(appPath)) {
        case AppBackendChoice::Local: return false;
        case AppBackendChoice::Remote: return true;
        case AppBackendChoice::Default: break;
    }
    return remoteByDefault();
}

}  // namespace ps::ui
