#pragma once
// Settings -> Sharing: serve this computer's model and apps to other programs
// (the address, and a "copy curl example" button), and run apps on a remote
// OpenAI-compatible server instead (its address, key and model).
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace ps::ui {

class SharingPreferences;

class SharingPage : public QWidget {
    Q_OBJECT
public:
    explicit SharingPage(QWidget* parent = nullptr);

    void load(const SharingPreferences& preferences);
    void apply(SharingPreferences& preferences) const;

    // The base URL other programs use with the page's current choices.
    QString address() const;
    // Two commands a person can paste into a terminal: list the apps, then stream
    // an answer (with the key's header when there is one).
    static QString curlExample(const QString& baseUrl, const QString& apiKey);

private:
    void updateAddress();
    void fetchModels();

    QCheckBox* serve_ = nullptr;
    QCheckBox* beyond_ = nullptr;
    QSpinBox* port_ = nullptr;
    QLineEdit* servingKey_ = nullptr;
    QLabel* address_ = nullptr;
    QPushButton* copyCurl_ = nullptr;
    QComboBox* runOn_ = nullptr;
    QLineEdit* remoteUrl_ = nullptr;
    QLineEdit* remoteKey_ = nullptr;
    QComboBox* remoteModel_ = nullptr;
    QPushButton* getModels_ = nullptr;
    QLabel* remoteStatus_ = nullptr;
    QLabel* keyPlace_ = nullptr;
};

}  // namespace ps::ui
