#pragma once
// A small button that opens a grid of common emoji for the app's icon; the icon
// field beside it still accepts any emoji typed or pasted.
#include <QToolButton>

namespace ps::ui {

class EmojiPicker : public QToolButton {
    Q_OBJECT
public:
    explicit EmojiPicker(QWidget* parent = nullptr);

    static const QStringList& commonEmoji();

signals:
    void emojiChosen(const QString& emoji);
};

}  // namespace ps::ui
