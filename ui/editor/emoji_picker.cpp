#include "editor/emoji_picker.h"

#include <QGridLayout>
#include <QMenu>
#include <QWidgetAction>

namespace ps::ui {

const QStringList& EmojiPicker::commonEmoji() {
    // Chosen for what prompt apps do: writing, mail, study, code, food, travel, fun.
    static const QStringList emoji = {
        QStringLiteral("📝"), QStringLiteral("📧"),    QStringLiteral("💬"),    QStringLiteral("📚"),
        QStringLiteral("🎓"), QStringLiteral("💡"),    QStringLiteral("🧠"), QStringLiteral("🔍"),
        QStringLiteral("📊"), QStringLiteral("🗂"), QStringLiteral("📅"),    QStringLiteral("✅"),
        QStringLiteral("💻"), QStringLiteral("🐞"),    QStringLiteral("🔧"),    QStringLiteral("🤖"),
        QStringLiteral("🌍"), QStringLiteral("🗣"), QStringLiteral("✈"),    QStringLiteral("🍳"),
        QStringLiteral("🎨"), QStringLiteral("🎵"),    QStringLiteral("📖"),    QStringLiteral("🌙"),
        QStringLiteral("❤"), QStringLiteral("⭐"),    QStringLiteral("🚀"),    QStringLiteral("🎉"),
        QStringLiteral("💼"), QStringLiteral("📈"),    QStringLiteral("🧾"), QStringLiteral("🏷"),
    };
    return emoji;
}

EmojiPicker::EmojiPicker(QWidget* parent) : QToolButton(parent) {
    setText(tr("Choose…"));
    setToolTip(tr("Pick an icon for the app"));
    setPopupMode(QToolButton::InstantPopup);
    auto* menu = new QMenu(this);
    auto* grid = new QWidget(menu);
    auto* layout = new QGridLayout(grid);
    const int columns = 8;
    const QStringList& emoji = commonEmoji();
    for (int i = 0; i < emoji.size(); ++i) {
        auto* button = new QToolButton(grid);
        button->setText(emoji.at(i));
        button->setAutoRaise(true);
        QFont font = button->font();
        font.setPointSizeF(font.pointSizeF() * 1.5);
        button->setFont(font);
        connect(button, &QToolButton::clicked, this, [this, menu, e = emoji.at(i)] {
            menu->close();
            emit emojiChosen(e);
        });
        layout->addWidget(button, i / columns, i % columns);
    }
    auto* action = new QWidgetAction(menu);
    action->setDefaultWidget(grid);
    menu->addAction(action);
    setMenu(menu);
}

}  // namespace ps::ui
