#pragma once
// A deck: the apps a presenter shows in demo mode, in order, each with its inputs
// filled in and an optional note for the presenter. Saved as a small YAML file,
// `.promptdeck` (deck_file.h; docs/promptapp-format.md, "Decks").
#include <QList>
#include <QString>
#include <QStringList>
#include <QVariantMap>

namespace ps {

// The version of the deck format this build writes (and the newest it reads).
inline constexpr int kDeckFormatVersion = 1;
// The file suffix, with its dot.
inline constexpr const char* kDeckSuffix = ".promptdeck";

struct DeckSlide {
    QString app;                  // the .promptapp, absolute or relative to the deck's folder
    QVariantMap inputs;           // input name -> value, as the Run page's form gives them
    QStringList inputOrder;       // the order the inputs were written in (QVariantMap sorts)
    QString note;                 // for the presenter; never shown on the stage
    bool race = false;            // run this slide as a race between two engines
    bool operator==(const DeckSlide& other) const {
        return app == other.app && inputs == other.inputs && note == other.note && race == other.race;
    }
};

struct Deck {
    QString name;
    // Left alone this many seconds, the stage plays the deck by itself (0 = never).
    int attractAfterSeconds = 0;
    QList<DeckSlide> slides;
    QString filePath;  // where it was read from or last saved (not saved itself)

    // The slide's app file: relative paths are taken from the deck's folder.
    QString appPathOf(const DeckSlide& slide) const;
    bool operator==(const Deck& other) const {
        return name == other.name && attractAfterSeconds == other.attractAfterSeconds && slides == other.slides;
    }
};

}  // namespace ps
