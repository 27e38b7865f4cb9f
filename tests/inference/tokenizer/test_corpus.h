#pragma once
// Texts that exercise a SentencePiece vocabulary: ASCII, punctuation, numbers,
// newlines and tabs, emoji, CJK and accented letters. Single spaces only and
// none at either end, so that a model that collapses extra whitespace (like
// tok512.model) tokenizes them as one that does not; whitespaceCorpus() has
// the runs of spaces.
#include <string>
#include <vector>

namespace ps::test {

inline const std::vector<std::string>& variedCorpus() {
    static const std::vector<std::string> texts = {
        "Once upon a time",
        "The little dog ran to the park and",
        "Once upon a time, there was a little girl named Lily. She loved to play outside.",
        "Hello, world! How are you? I'm fine; thanks: (really) [yes] {no} <tag> \"quoted\"",
        "Symbols: @#%^&*_+=~`|\\/ and a lone ' quote",
        "Numbers: 0 1 12 123 1234 3.14159 -42 1e10 2024-01-01 $9.99 100%",
        "line one\nline two\n\nline four\tafter a tab",
        "\n",
        "a",
        "Emoji: \xF0\x9F\x98\x80 \xF0\x9F\x90\xB6\xF0\x9F\x90\xB1 \xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD "
        "\xE2\x9D\xA4\xEF\xB8\x8F \xF0\x9F\x9A\x80",
        "CJK: \xE4\xBD\xA0\xE5\xA5\xBD\xEF\xBC\x8C\xE4\xB8\x96\xE7\x95\x8C\xE3\x80\x82 "
        "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x81\xAE\xE3\x83\x86\xE3\x82\xAD\xE3\x82\xB9"
        "\xE3\x83\x88 \xED\x95\x9C\xEA\xB5\xAD\xEC\x96\xB4",
        "Accents: caf\xC3\xA9 na\xC3\xAFve r\xC3\xA9sum\xC3\xA9 Stra\xC3\x9F" "e \xC3\x85ngstr\xC3\xB6m "
        "\xC4\x8C" "esk\xC3\xBD \xC5\x81\xC3\xB3\xC4\x91",
        "Mixed: the 3 dogs \xF0\x9F\x90\x95 ran 100m in 9.58s \xE2\x80\x94 fast!",
        "Cyrillic \xD0\xBF\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82 and Greek "
        "\xCE\xB3\xCE\xB5\xCE\xB9\xCE\xB1",
    };
    return texts;
}

inline const std::vector<std::string>& whitespaceCorpus() {
    static const std::vector<std::string> texts = {
        " leading space", "trailing space ", "two  spaces", "   three leading",
        "tabs\t\tand  spaces", " ",
    };
    return texts;
}

}  // namespace ps::test
