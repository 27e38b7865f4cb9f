// promptstudio-cli: placeholder entry point until the commands land.
#include <cstdio>
#include <cstring>

#include "version.h"

int main(int argc, char** argv) {
    if (argc > 1 && std::strcmp(argv[1], "--version") == 0) {
        std::printf("promptstudio-cli %s\n", PROMPTSTUDIO_VERSION);
        return 0;
    }
    std::fprintf(stderr, "usage: promptstudio-cli --version\n");
    return 2;
}
