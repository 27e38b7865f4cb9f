#pragma once
// Ctrl-C (SIGINT) for long-running commands: the first one raises a flag the
// generator checks every step, so the command ends cleanly (exit 130); a second
// one ends the process the default way, in case something does not check.
#include <atomic>

namespace ps::cli {

class InterruptGuard {
public:
    InterruptGuard();   // installs the handler, lowers the flag
    ~InterruptGuard();  // restores the previous handler
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;

    const std::atomic<bool>* flag() const;
    bool interrupted() const;
};

}  // namespace ps::cli
