#pragma once
// What a race slide races, set from the deck page: the default pairing (the GPU
// against the CPU where there is a GPU, else every core against one), or two
// engines the presenter chooses: each side's model file (two models, two
// quantizations), device (automatic, GPU, CPU) and CPU threads.
#include <QDialog>

#include <optional>

#include "deck/deck.h"

class QCheckBox;
class QComboBox;
class QLineEdit;
class QSpinBox;
class QWidget;

namespace ps::ui {

class RaceSetupDialog : public QDialog {
    Q_OBJECT
public:
    // `deckFolder`: model files inside it are kept relative (the folder can move).
    explicit RaceSetupDialog(const QString& deckFolder, QWidget* parent = nullptr);

    // None = the default pairing.
    void setRace(const std::optional<DeckRace>& race);
    std::optional<DeckRace> race() const;

    struct SideFields {
        QLineEdit* model = nullptr;
        QComboBox* device = nullptr;
        QSpinBox* threads = nullptr;
    };
    QCheckBox* customChoice() const { return custom_; }
    const SideFields& side(int index) const { return sides_[index]; }

private:
    QWidget* sideBox(const QString& title, SideFields& fields);
    void browse(QLineEdit* model);
    void updateEnabled();

    QString deckFolder_;
    QCheckBox* custom_ = nullptr;
    SideFields sides_[2];
    QWidget* boxes_[2] = {nullptr, nullptr};
};

}  // namespace ps::ui
