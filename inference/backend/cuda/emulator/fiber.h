#pragma once
// Cooperative fibers for the threads of an emulated block: a context switch
// saves the callee-saved registers and the stack pointer (x86-64: a few
// instructions, no system call; elsewhere ucontext). Under AddressSanitizer the
// switches are announced to it, so that it knows which stack is live.
#include <cstddef>

#if !defined(__x86_64__)
#include <ucontext.h>
#endif

namespace ps::emu {

struct FiberContext {
#if defined(__x86_64__)
    void* stackPointer = nullptr;
#else
    ucontext_t context;
    void (*entry)(void*) = nullptr;
    void* argument = nullptr;
#endif
    void* stackBottom = nullptr;  // for AddressSanitizer; null for the scheduler's own stack
    size_t stackSize = 0;
    void* fakeStack = nullptr;
};

// A stack with a guard page below it (an overflow faults instead of corrupting).
class FiberStack {
public:
    explicit FiberStack(size_t bytes);
    ~FiberStack();
    FiberStack(FiberStack&& other) noexcept;
    FiberStack& operator=(FiberStack&&) = delete;
    FiberStack(const FiberStack&) = delete;
    void* bottom() const { return usable_; }
    size_t size() const { return size_; }

private:
    void* mapping_ = nullptr;
    size_t mappingSize_ = 0;
    void* usable_ = nullptr;
    size_t size_ = 0;
};

// Makes `context` start entry(argument) on `stack` when it is next switched to.
// entry must never return: it switches away for the last time instead.
void prepareFiber(FiberContext& context, const FiberStack& stack, void (*entry)(void*), void* argument);

// The first thing a new fiber's entry function calls (AddressSanitizer's half
// of the first switch into it).
void fiberStarted();

// Saves the running context in `from` and continues `to`. `leaving` says that
// `from` will never be resumed (its fiber finished).
void switchFiber(FiberContext& from, FiberContext& to, bool leaving = false);

}  // namespace ps::emu
