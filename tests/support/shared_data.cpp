#include "support/shared_data.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace ps::test {

std::filesystem::path sharedDir() {
    if (const char* env = std::getenv("PROMPTSTUDIO_SHARED_DIR"); env && *env) return env;
    return PROMPTSTUDIO_DEFAULT_SHARED_DIR;
}

std::filesystem::path modelsDir() { return sharedDir() / "models"; }

bool runningInCi() {
    const char* ci = std::getenv("CI");
    return ci && *ci && std::string(ci) != "0" && std::string(ci) != "false";
}

std::filesystem::path locateSharedFile(const std::string& relative, bool& shouldSkip) {
    const std::filesystem::path path = sharedDir() / relative;
    if (std::filesystem::exists(path)) return path;
    if (runningInCi()) {
        ADD_FAILURE() << "shared test file missing under CI: " << path
                      << " (set PROMPTSTUDIO_SHARED_DIR)";
        shouldSkip = false;
    } else {
        shouldSkip = true;
    }
    return {};
}

}  // namespace ps::test
