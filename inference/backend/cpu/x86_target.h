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
