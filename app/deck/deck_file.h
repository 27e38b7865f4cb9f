#pragma once
// Reading and writing .promptdeck files:
//
//   promptdeck: 2
//   name: Workstation demo
//   attract_after: 120          # seconds alone before the deck plays itself; 0 = never
//   slides:
//     - app: bedtime-story.promptapp
//       inputs:
//         hero: a little fox
//       note: Point at the tokens/s.
//       race: true                # the default pairing (format 1 and 2)
//     - app: bedtime-story.promptapp
//       race:                     # what it races (format 2)
//         left: {model: small-Q4_K_M.gguf, device: gpu}
//         right: {model: small-Q8_0.gguf, device: cpu, threads: 8}
//
// Every problem is reported with its line (and column), all at once; a deck from a
// newer format is refused in words; saving is atomic (document/atomic_save.h).
#include <QList>
#include <QString>

#include "deck/deck.h"
#include "document/document_error.h"

namespace ps {

struct DeckLoadResult {
    Deck deck;
    QList<DocumentError> errors;
    bool ok() const { return errors.isEmpty(); }
    QString errorText(const QString& path = {}) const { return formatDocumentErrors(errors, path); }
};

// Parses a whole deck file's text.
DeckLoadResult parseDeck(const QString& text);
// Reads `path` (a regular file, bounded in size) and parses it; sets deck.filePath.
DeckLoadResult loadDeck(const QString& path);

// The file text; parseDeck gives back an equal deck.
QString serializeDeck(const Deck& deck);
// Writes atomically, keeping no backup (a deck is quick to make again, and a
// `.bak` beside it would show up as clutter in the apps folder).
bool saveDeck(const Deck& deck, const QString& path, QString* error);

}  // namespace ps
