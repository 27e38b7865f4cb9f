#pragma once
// Compiles the functions between PS_BEGIN_TARGET("avx2,fma") and PS_END_TARGET
// for that instruction set, leaving the rest of the file (and every inline
// function of the headers it included before) for the baseline x86-64. Callers
// check the CPU before calling into such code.
#define PS_PRAGMA(x) _Pragma(#x)
#if defined(__clang__)
#define PS_BEGIN_TARGET(isa) PS_PRAGMA(clang attribute push(__attribute__((target(isa))), apply_to = function))
#define PS_END_TARGET PS_PRAGMA(clang attribute pop)
#else
#define PS_BEGIN_TARGET(isa) PS_PRAGMA(GCC push_options) PS_PRAGMA(GCC target(isa))
#define PS_END_TARGET PS_PRAGMA(GCC pop_options)
#endif

// For functions that only issue prefetches. GCC counts a prefetch as no side
// effect, so it treats such a function as `const` and deletes any call to it
// that it has not inlined by then: the packed Q4_K kernel ran without its
// prefetches that way (GCC 12, found in its disassembly on 2026-12-02).
// Inlining them always keeps the prefetches in the caller.
#if defined(__GNUC__)
#define PS_PREFETCH_HELPER __attribute__((always_inline)) inline
#else
#define PS_PREFETCH_HELPER inline
#endif
