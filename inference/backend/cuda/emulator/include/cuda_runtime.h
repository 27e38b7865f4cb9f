#pragma once
// The emulated device's stand-in for the CUDA toolkit's cuda_runtime.h: the
// runtime API (runtime_api.h) and what kernels see (device_builtins.h). Only
// targets that build for the emulator have this folder on their include path.
#include "backend/cuda/emulator/device_builtins.h"
#include "backend/cuda/emulator/runtime_api.h"
