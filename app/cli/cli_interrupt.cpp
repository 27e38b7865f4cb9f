// A lock-free atomic store and signal() are async-signal-safe (POSIX), which is
// all the handler does.
#include "cli/cli_interrupt.h"

#include <csignal>

namespace ps::cli {
namespace {

std::atomic<bool> interruptFlag{false};
static_assert(std::atomic<bool>::is_always_lock_free);

struct sigaction previousAction;

// C++ linkage on purpose: an extern "C" name ignores the namespace and would
// clash with other handlers in the program.
void onInterrupt(int) {
    interruptFlag.store(true);
    std::signal(SIGINT, SIG_DFL);  // the next Ctrl-C is not caught
}

}  // namespace

InterruptGuard::InterruptGuard() {
    interruptFlag.store(false);
    struct sigaction action {};
    action.sa_handler = onInterrupt;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &previousAction);
}

InterruptGuard::~InterruptGuard() {
    sigaction(SIGINT, &previousAction, nullptr);
}

const std::atomic<bool>* InterruptGuard::flag() const {
    return &interruptFlag;
}

bool InterruptGuard::interrupted() const {
    return interruptFlag.load();
}

}  // namespace ps::cli
