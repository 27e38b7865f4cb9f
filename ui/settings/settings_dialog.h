#pragma once
// The Settings window: where the model runs, generation defaults, folders, looks and
// sharing (the HTTP server and remote models).
#include <QDialog>

class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QListWidget;
class QSpinBox;

namespace ps::ui {

class Preferences;
class SharingPage;

class SettingsDialog : public QDialog {
    Q_OBJECT
public:
    explicit SettingsDialog(Preferences& preferences, QWidget* parent = nullptr);

    // Writes the dialog's values into the preferences.
    void apply();

private:
    QWidget* createRuntimePage();
    QWidget* createGenerationPage();
    QWidget* createFoldersPage();
    QWidget* createAppearancePage();
    void load();

    Preferences& preferences_;
    QComboBox* backend_ = nullptr;
    QSpinBox* gpuDevice_ = nullptr;
    QSpinBox* threads_ = nullptr;
    QComboBox* context_ = nullptr;
    QDoubleSpinBox* temperature_ = nullptr;
    QSpinBox* maxTokens_ = nullptr;
    QLineEdit* appsFolder_ = nullptr;
    QListWidget* modelFolders_ = nullptr;
    QComboBox* theme_ = nullptr;
    QSpinBox* fontSize_ = nullptr;
    SharingPage* sharing_ = nullptr;  // Settings -> Sharing (sharing_page.h)
};

}  // namespace ps::ui
