// The backend's matvec_kernels.cu, compiled by the host compiler for the emulated device.
#include "backend/cuda/matvec_kernels.cu"
