#pragma once
// A deck: the apps a presenter shows in demo mode, in order, each with its inputs
// filled in and an optional note for the presenter. Saved as a small YAML file,
// `.promptdeck` (deck_file.h; docs/promptapp-format.md, "Decks").
#include <QList>
#include <QString>
#include <QStringList>
#include <QVariantMap>

#include <optional>

namespace ps {

// The newest deck format this build reads and writes. Format 2 added what a race
// slide races (DeckRace); a deck without one is still written as format 1, so
// that older builds keep reading it.
inline constexpr int kDeckFormatVersion = 2;
// The file suffix, with its dot.
inline constexpr const char* kDeckSuffix = ".promptdeck";

// Where one side of a race runs.
enum class RaceDevice {
    Automatic,  // the GPU when the CUDA backend takes the model, else the CPU
    Gpu,        // the GPU; where there is none the side runs on the CPU, and says so
    Cpu,
};

// One side of a race (`race: {left: ..., right: ...}`).
struct DeckRaceEngine {
    QString model;  // a .gguf, absolute or relative to the deck's folder; empty = the window's model
    RaceDevice device = RaceDevice::Automatic;
    int threads = 0;  // CPU threads; 0 = every core
    bool operator==(const DeckRaceEngine& other) const {
        return model == other.model && device == other.device && threads == other.threads;
    }
};

// What a race slide races: two models, two quantizations (two files), two thread
// counts, or the GPU against the CPU.
struct DeckRace {
    DeckRaceEngine left;   // shown on the left (the one expected to win)
    DeckRaceEngine right;
    bool operator==(const DeckRace& other) const { return left == other.left && right == other.right; }
};

struct DeckSlide {
    QString app;                  // the .promptapp, absolute or relative to the deck's folder
    QVariantMap inputs;           // input name -> value, as the Run page's form gives them
    QStringList inputOrder;       // the order the inputs were written in (QVariantMap sorts)
    QString note;                 // for the presenter (the stage shows it only when N is pressed)
    bool race = false;            // run this slide as a race between two engines
    // What it races; none = the default pairing (the GPU against the CPU where
    // there is a GPU, else every core against one, on the window's model).
    std::optional<DeckRace> raceSetup;
    bool operator==(const DeckSlide& other) const {
        return app == other.app && inputs == other.inputs && note == other.note && race == other.race &&
               raceSetup == other.raceSetup;
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
    // A race side's model file, likewise; empty stays empty (the window's model).
    QString modelPathOf(const DeckRaceEngine& engine) const;
    bool operator==(const Deck& other) const {
        return name == other.name && attractAfterSeconds == other.attractAfterSeconds && slides == other.slides;
    }
};

}  // namespace ps
