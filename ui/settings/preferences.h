#pragma once
// The user's preferences, stored with QSettings. One typed accessor per setting,
// so the keys and defaults live in one place.
#include <QString>
#include <QStringList>

namespace ps::ui {

enum class BackendPreference { Automatic, Gpu, Cpu };
enum class ThemePreference { FollowSystem, Light, Dark };

class Preferences {
public:
    BackendPreference backend() const;
    void setBackend(BackendPreference value);

    int gpuDevice() const;  // CUDA device index
    void setGpuDevice(int value);

    int threads() const;  // 0 = one per core
    void setThreads(int value);

    int contextLength() const;  // 0 = the model's own, capped
    void setContextLength(int value);

    double defaultTemperature() const;
    void setDefaultTemperature(double value);
    int defaultMaxTokens() const;
    void setDefaultMaxTokens(int value);

    // Where the user's apps live (XDG data folder by default).
    QString appsFolder() const;
    void setAppsFolder(const QString& value);
    // Extra folders the model scan searches.
    QStringList modelFolders() const;
    void setModelFolders(const QStringList& value);
    QString lastModel() const;
    void setLastModel(const QString& value);

    ThemePreference theme() const;
    void setTheme(ThemePreference value);
    int fontPointSize() const;  // 0 = the system's
    void setFontPointSize(int value);

    static QString defaultAppsFolder();
};

}  // namespace ps::ui
