// The backend's batched_matvec_kernels.cu, compiled by the host compiler for the emulated device.
#include "backend/cuda/batched_matvec_kernels.cu"
