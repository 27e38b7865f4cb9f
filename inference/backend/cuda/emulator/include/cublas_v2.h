#pragma once
// The cuBLAS calls the backend makes, on the emulated device (cublas.cpp).
#include "backend/cuda/emulator/cublas_api.h"
