#pragma once
// PS_HD marks small functions that both backends share: compiled for the host
// everywhere, and for the GPU too when nvcc sees them. Keeping block decoding
// and other easy-to-get-wrong math here lets the CPU tests check what the CUDA
// kernels run.
#if defined(__CUDACC__)
#define PS_HD __host__ __device__ __forceinline__
#else
#define PS_HD inline
#endif
