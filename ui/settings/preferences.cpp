#include "settings/preferences.h"

#include <QDir>
#include <QSettings>
#include <QStandardPaths>

namespace ps::ui {

namespace {

QVariant read(const char* key, const QVariant& fallback) { return QSettings().value(key, fallback); }
void write(const char* key, const QVariant& value) { QSettings().setValue(key, value); }

}  // namespace

BackendPreference Preferences::backend() const {
    return static_cast<BackendPreference>(read("runtime/backend", 0).toInt());
}
void Preferences::setBackend(BackendPreference value) { write("runtime/backend", int(value)); }

int Preferences::gpuDevice() const { return read("runtime/gpuDevice", 0).toInt(); }
void Preferences::setGpuDevice(int value) { write("runtime/gpuDevice", value); }

int Preferences::threads() const { return read("runtime/threads", 0).toInt(); }
void Preferences::setThreads(int value) { write("runtime/threads", value); }

int Preferences::contextLength() const { return read("runtime/contextLength", 0).toInt(); }
void Preferences::setContextLength(int value) { write("runtime/contextLength", value); }

double Preferences::defaultTemperature() const {
    return read("generation/temperature", 0.7).toDouble();
}
void Preferences::setDefaultTemperature(double value) { write("generation/temperature", value); }

int Preferences::defaultMaxTokens() const { return read("generation/maxTokens", 512).toInt(); }
void Preferences::setDefaultMaxTokens(int value) { write("generation/maxTokens", value); }

QString Preferences::defaultAppsFolder() {
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + "/apps";
}

QString Preferences::appsFolder() const {
    return read("folders/apps", defaultAppsFolder()).toString();
}
void Preferences::setAppsFolder(const QString& value) { write("folders/apps", value); }

QStringList Preferences::modelFolders() const {
    return read("folders/models", QStringList()).toStringList();
}
void Preferences::setModelFolders(const QStringList& value) { write("folders/models", value); }

QString Preferences::lastModel() const { return read("runtime/lastModel", QString()).toString(); }
void Preferences::setLastModel(const QString& value) { write("runtime/lastModel", value); }

ThemePreference Preferences::theme() const {
    return static_cast<ThemePreference>(read("appearance/theme", 0).toInt());
}
void Preferences::setTheme(ThemePreference value) { write("appearance/theme", int(value)); }

int Preferences::fontPointSize() const { return read("appearance/fontPointSize", 0).toInt(); }
void Preferences::setFontPointSize(int value) { write("appearance/fontPointSize", value); }

}  // namespace ps::ui
