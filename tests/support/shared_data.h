#pragma once
// Where the shared test models live (../shared next to the project, or
// $PROMPTSTUDIO_SHARED_DIR), and how a test asks for one: it skips with a
// message when the file is missing, but fails when CI is set, so that CI can
// never pass by skipping.
#include <filesystem>
#include <string>

namespace ps::test {

std::filesystem::path sharedDir();
std::filesystem::path modelsDir();  // sharedDir()/models

// The full path of `relative` under sharedDir(), or an empty path after
// recording a skip (locally) or a failure (under CI). Use through the macro.
std::filesystem::path locateSharedFile(const std::string& relative, bool& shouldSkip);

bool runningInCi();

}  // namespace ps::test

// Declares `var` as the path of a shared file; skips or fails the test when absent.
#define PS_REQUIRE_SHARED_FILE(var, relative)                                          \
    bool var##_skip = false;                                                            \
    const std::filesystem::path var = ::ps::test::locateSharedFile(relative, var##_skip); \
    if (var.empty()) {                                                                  \
        if (var##_skip) GTEST_SKIP() << "shared file missing: " << (relative);          \
        return;                                                                         \
    }
