// The backend's cuda_device_benchmark.cu, compiled by the host compiler for the emulated device.
#include "backend/cuda/cuda_device_benchmark.cu"
