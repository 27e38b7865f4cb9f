// Text held back for stop sequences: nothing that later completes a stop
// sequence is ever handed out, and everything else eventually is.
#include "generator/stop_sequence_filter.h"

#include <gtest/gtest.h>

namespace ps {
namespace {

TEST(StopSequenceFilter, PassesTextThroughWithoutStopSequences) {
    StopSequenceFilter filter({});
    EXPECT_EQ(filter.push("Hello"), "Hello");
    EXPECT_EQ(filter.push(" world"), " world");
    EXPECT_EQ(filter.finish(), "");
    EXPECT_FALSE(filter.stopped());
}

TEST(StopSequenceFilter, HoldsAPossibleStartAndDropsTheCompletedSequence) {
    StopSequenceFilter filter({"\nUser:"});
    EXPECT_EQ(filter.push("Sure, here"), "Sure, here");
    EXPECT_EQ(filter.push(" it is.\nUs"), " it is.");  // "\nUs" could become "\nUser:"
    EXPECT_EQ(filter.push("er"), "");
    EXPECT_EQ(filter.push(": next"), "");
    EXPECT_TRUE(filter.stopped());
    EXPECT_EQ(filter.push("more"), "");
    EXPECT_EQ(filter.finish(), "");
}

TEST(StopSequenceFilter, ReleasesHeldTextThatStopsMatching) {
    StopSequenceFilter filter({"END"});
    EXPECT_EQ(filter.push("the E"), "the ");
    EXPECT_EQ(filter.push("N"), "");
    EXPECT_EQ(filter.push("D"), "");
    EXPECT_TRUE(filter.stopped());

    StopSequenceFilter other({"END"});
    EXPECT_EQ(other.push("the EN"), "the ");
    EXPECT_EQ(other.push("ough"), "ENough");
    EXPECT_EQ(other.push(" E"), " ");
    EXPECT_EQ(other.finish(), "E");  // the stream ended: nothing can complete
    EXPECT_FALSE(other.stopped());
}

TEST(StopSequenceFilter, TheEarliestOfSeveralWinsAndTextBeforeItComesOut) {
    StopSequenceFilter filter({"cat", "a"});
    EXPECT_EQ(filter.push("the cat sat"), "the ");  // "cat" starts before "a"
    EXPECT_TRUE(filter.stopped());

    StopSequenceFilter overlapping({"abc", "bcd"});
    EXPECT_EQ(overlapping.push("xab"), "x");
    EXPECT_EQ(overlapping.push("cd"), "");  // "abc" completes first; the "x" already went out
    EXPECT_TRUE(overlapping.stopped());
}

TEST(StopSequenceFilter, KeepsMultibyteCharactersWhole) {
    StopSequenceFilter filter({"\xC3\xA9t\xC3\xA9"});          // "été"
    EXPECT_EQ(filter.push("caf\xC3\xA9"), "caf");             // "é" could start "été"
    EXPECT_EQ(filter.push("!"), "\xC3\xA9!");
    EXPECT_EQ(filter.push("\xC3\xA9t\xC3\xA9 fini"), "");
    EXPECT_TRUE(filter.stopped());
}

TEST(StopSequenceFilter, IgnoresEmptyStopSequences) {
    StopSequenceFilter filter({"", "zz"});
    EXPECT_EQ(filter.push("abc"), "abc");
    EXPECT_FALSE(filter.stopped());
}

}  // namespace
}  // namespace ps
