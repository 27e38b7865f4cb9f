// The backend's attention_kernels.cu, compiled by the host compiler for the emulated device.
#include "backend/cuda/attention_kernels.cu"
