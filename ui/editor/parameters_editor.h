#pragma once
// The app's generation settings in plain words: "Creativity" (temperature), "Longest
// answer" (max_tokens), "Focus" (top_p), "Avoid repeating" (repeat_penalty), "Same
// answer every time" (seed), "Stop at" (stop). Each shows its real name small and a
// one-line explanation; "Default" leaves the setting to Prompt Studio.
#include <QWidget>

#include "document/prompt_app.h"

class QCheckBox;
class QDoubleSpinBox;
class QLineEdit;
class QSpinBox;

namespace ps::ui {

class ParametersEditor : public QWidget {
    Q_OBJECT
public:
    // Which setting an edit touched (to group typing per setting in the undo stack).
    enum Setting { Temperature, MaxTokens, TopP, RepeatPenalty, Seed, Stop };

    explicit ParametersEditor(QWidget* parent = nullptr);

    // Shows `parameters` without emitting parametersEdited.
    void setParameters(const AppParameters& parameters);
    AppParameters parameters() const;

signals:
    void parametersEdited(const ps::AppParameters& parameters, int setting);

private:
    void emitEdited(Setting setting);

    AppParameters shown_;  // keeps the settings this editor does not show (top_k, ...)
    bool updating_ = false;
    QDoubleSpinBox* temperature_;
    QSpinBox* maxTokens_;
    QDoubleSpinBox* topP_;
    QDoubleSpinBox* repeatPenalty_;
    QCheckBox* fixedSeed_;
    QSpinBox* seed_;
    QLineEdit* stop_;
};

}  // namespace ps::ui
