#pragma once
// __half on the emulated device: stored as IEEE binary16 bits, converted with
// round-to-nearest-even like the device's cvt.rn.f16.f32.
#include "backend/cuda/emulator/half_types.h"
