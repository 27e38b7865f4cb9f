#pragma once
// A deck as the main window shows it when it is chosen in the Library: its slides
// in order (the app, its inputs, whether it races, the presenter's note), with
// buttons to reorder and remove them, mark a slide as a race, and present the deck.
// Every change is saved at once (atomically, deck_file.h).
#include <QWidget>

#include "deck/deck.h"

class QLabel;
class QListWidget;
class QPushButton;

namespace ps::ui {

class DeckPage : public QWidget {
    Q_OBJECT
public:
    explicit DeckPage(QWidget* parent = nullptr);

    // Reads the deck; false (the problems shown on the page) when it cannot be read.
    bool setDeckFile(const QString& path);
    QString deckPath() const { return path_; }
    const Deck& deck() const { return deck_; }
    QListWidget* slideList() const { return list_; }
    QString problemText() const;

    // Each saves the deck; false with the reason on the page when the save fails.
    bool moveSlide(int from, int to);
    bool removeSlide(int row);
    bool setRace(int row, bool race);

signals:
    void presentRequested(const QString& path);

private:
    void fill(int selectRow);
    bool save();
    void updateButtons();

    QString path_;
    Deck deck_;
    QLabel* title_ = nullptr;
    QLabel* problem_ = nullptr;
    QListWidget* list_ = nullptr;
    QPushButton* up_ = nullptr;
    QPushButton* down_ = nullptr;
    QPushButton* remove_ = nullptr;
    QPushButton* race_ = nullptr;
    QPushButton* present_ = nullptr;
};

}  // namespace ps::ui
