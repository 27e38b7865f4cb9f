#pragma once
// The one-line banner shown while the built-in demo model is in use: what it can
// do (short children's stories), what it cannot (follow instructions, answer
// questions, chat), and a button towards a real model.
#include <QFrame>

class QLabel;
class QPushButton;

namespace ps::ui {

class DemoModelBanner : public QFrame {
    Q_OBJECT
public:
    explicit DemoModelBanner(QWidget* parent = nullptr);

    QString text() const;

signals:
    // "Get a real model": the window shows the Models page.
    void getModelRequested();

private:
    QLabel* text_ = nullptr;
    QPushButton* button_ = nullptr;
};

}  // namespace ps::ui
