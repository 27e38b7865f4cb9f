#include "backend/cuda/emulator/fiber.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <new>
#include <utility>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PS_EMU_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define PS_EMU_ASAN 1
#endif
#if defined(PS_EMU_ASAN)
#include <sanitizer/common_interface_defs.h>
#endif

#if defined(__x86_64__)
// ps_emu_switch(void** save, void* load): pushes the callee-saved registers,
// swaps stack pointers, pops the other side's. MXCSR and the x87 control word
// are not switched: nothing on either side changes them.
// ps_emu_start: the first "return" of a new fiber lands here; r12 holds the
// argument, r13 the entry function.
asm(R"(
    .text
    .p2align 4
    .type ps_emu_switch,@function
ps_emu_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size ps_emu_switch, .-ps_emu_switch

    .p2align 4
    .type ps_emu_start,@function
ps_emu_start:
    movq %r12, %rdi
    callq *%r13
    ud2
    .size ps_emu_start, .-ps_emu_start
)");
extern "C" void ps_emu_switch(void** save, void* load);
extern "C" void ps_emu_start();
#endif

namespace ps::emu {

FiberStack::FiberStack(size_t bytes) {
    const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    size_ = (bytes + page - 1) / page * page;
    mappingSize_ = size_ + page;
    mapping_ = mmap(nullptr, mappingSize_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mapping_ == MAP_FAILED) throw std::bad_alloc();
    mprotect(mapping_, page, PROT_NONE);  // the guard page
    usable_ = static_cast<char*>(mapping_) + page;
}

FiberStack::~FiberStack() {
    if (mapping_) munmap(mapping_, mappingSize_);
}

FiberStack::FiberStack(FiberStack&& other) noexcept
    : mapping_(std::exchange(other.mapping_, nullptr)),
      mappingSize_(other.mappingSize_),
      usable_(other.usable_),
      size_(other.size_) {}

#if !defined(__x86_64__)
namespace {
void startFromUcontext(unsigned high, unsigned low) {
    auto* context = reinterpret_cast<FiberContext*>((static_cast<uintptr_t>(high) << 32) | low);
    context->entry(context->argument);
}
}  // namespace
#endif

void prepareFiber(FiberContext& context, const FiberStack& stack, void (*entry)(void*), void* argument) {
    context.stackBottom = stack.bottom();
    context.stackSize = stack.size();
    context.fakeStack = nullptr;
#if defined(__x86_64__)
    // After ps_emu_switch's `ret` into ps_emu_start the stack pointer must be
    // 16-byte aligned, so that the call to entry sees the ABI's alignment.
    auto top = reinterpret_cast<uintptr_t>(stack.bottom()) + stack.size();
    top = (top & ~uintptr_t{15}) - 16;
    auto* frame = reinterpret_cast<uint64_t*>(top - 7 * 8);
    frame[0] = 0;                                     // r15
    frame[1] = 0;                                     // r14
    frame[2] = reinterpret_cast<uint64_t>(entry);     // r13
    frame[3] = reinterpret_cast<uint64_t>(argument);  // r12
    frame[4] = 0;                                     // rbx
    frame[5] = 0;                                     // rbp
    frame[6] = reinterpret_cast<uint64_t>(&ps_emu_start);
    context.stackPointer = frame;
#else
    // makecontext passes ints: the pointers travel in halves.
    context.entry = entry;
    context.argument = argument;
    getcontext(&context.context);
    context.context.uc_stack.ss_sp = stack.bottom();
    context.context.uc_stack.ss_size = stack.size();
    context.context.uc_link = nullptr;
    const auto self = reinterpret_cast<uintptr_t>(&context);
    makecontext(&context.context, reinterpret_cast<void (*)()>(&startFromUcontext), 2,
                static_cast<unsigned>(self >> 32), static_cast<unsigned>(self));
#endif
}

void fiberStarted() {
#if defined(PS_EMU_ASAN)
    __sanitizer_finish_switch_fiber(nullptr, nullptr, nullptr);
#endif
}

void switchFiber(FiberContext& from, FiberContext& to, bool leaving) {
#if defined(PS_EMU_ASAN)
    __sanitizer_start_switch_fiber(leaving ? nullptr : &from.fakeStack, to.stackBottom, to.stackSize);
#else
    (void)leaving;
#endif
#if defined(__x86_64__)
    ps_emu_switch(&from.stackPointer, to.stackPointer);
#else
    swapcontext(&from.context, &to.context);
#endif
#if defined(PS_EMU_ASAN)
    // Back in `from`: tell ASan which stack we came from (it wants it for the
    // scheduler's stack, whose bounds it does not know otherwise).
    const void* previousBottom = nullptr;
    size_t previousSize = 0;
    __sanitizer_finish_switch_fiber(from.fakeStack, &previousBottom, &previousSize);
#endif
}

}  // namespace ps::emu
