#pragma once
// __nv_bfloat16 on the emulated device (round-to-nearest-even, as cvt.rn.bf16.f32).
#include "backend/cuda/emulator/half_types.h"
