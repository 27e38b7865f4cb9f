#pragma once
// A deck as the main window shows it when it is chosen in the Library: its slides
// in order (the app, its inputs, whether it races, the presenter's note), with
// buttons to reorder and remove them, mark a slide as a race and choose what it
// races, an editor for the chosen slide's presenter note, the display demo mode
// goes full screen on, and a button to present the deck. Every change is saved
// at once (atomically, deck_file.h); a note as its typing pauses.
#include <QWidget>

#include <optional>

#include "deck/deck.h"

class QComboBox;
class QLabel;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QTimer;

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
    // What the slide races (none = the default pairing); makes it a race slide.
    bool setRaceSetup(int row, const std::optional<DeckRace>& setup);
    bool setNote(int row, const QString& note);

    QPlainTextEdit* noteEditor() const { return note_; }
    // The display demo mode goes on ("" = the window's own); remembered (demo_screen.h).
    QComboBox* screenPicker() const { return screen_; }
    // Lists the connected displays again (they come and go).
    void refreshScreens();

signals:
    void presentRequested(const QString& path);

protected:
    void showEvent(QShowEvent* event) override;
    void hideEvent(QHideEvent* event) override;

private:
    void fill(int selectRow);
    QString slideText(int row) const;
    bool save();
    void updateButtons();
    void editRace();
    // Saves the note being typed, if any (before the list moves on).
    void saveTypedNote();

    QString path_;
    Deck deck_;
    QLabel* title_ = nullptr;
    QLabel* problem_ = nullptr;
    QListWidget* list_ = nullptr;
    QPushButton* up_ = nullptr;
    QPushButton* down_ = nullptr;
    QPushButton* remove_ = nullptr;
    QPushButton* race_ = nullptr;
    QPushButton* raceSetup_ = nullptr;
    QPushButton* present_ = nullptr;
    QLabel* noteLabel_ = nullptr;
    QPlainTextEdit* note_ = nullptr;
    QTimer* noteTimer_ = nullptr;
    int noteRow_ = -1;  // the slide whose note the editor shows
    QComboBox* screen_ = nullptr;
};

}  // namespace ps::ui
