// libFuzzer: the .promptdeck reader (bounded YAML, slides, inputs, notes) and, for what
// loads, the writer, whose text must load again and be written back the same (the
// text is compared rather than the decks: an input may be NaN, unequal to itself).
#include <cstddef>
#include <cstdint>

#include "deck/deck_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const QString text = QString::fromUtf8(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    const ps::DeckLoadResult result = ps::parseDeck(text);
    (void)result.errorText();
    if (result.ok()) {
        const QString written = ps::serializeDeck(result.deck);
        const ps::DeckLoadResult again = ps::parseDeck(written);
        if (!again.ok() || ps::serializeDeck(again.deck) != written) __builtin_trap();
    }
    return 0;
}
