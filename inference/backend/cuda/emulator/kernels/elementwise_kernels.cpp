// The backend's elementwise_kernels.cu, compiled by the host compiler for the emulated device.
#include "backend/cuda/elementwise_kernels.cu"
