/* A stand-in for NVIDIA's libnvidia-ml.so.1 with one made-up GPU, so that demo
 * mode's metrics strip can be tested on machines without a driver. Only the
 * functions Prompt Studio calls (app/machine/nvml_library.cpp); the signatures are
 * NVML's (nvml.h). The numbers are fixed, so a test can check them on the strip. */
#include <string.h>

typedef void* nvmlDevice_t;
typedef struct {
    unsigned long long total, free, used;
} nvmlMemory_t;
typedef struct {
    unsigned gpu, memory;
} nvmlUtilization_t;

static int initialized = 0;
static int device = 0;

int nvmlInit_v2(void) { initialized = 1; return 0; }
int nvmlShutdown(void) { initialized = 0; return 0; }
int nvmlDeviceGetCount_v2(unsigned* count) {
    if (!initialized) return 1; /* NVML_ERROR_UNINITIALIZED */
    *count = 1;
    return 0;
}
int nvmlDeviceGetHandleByIndex_v2(unsigned index, nvmlDevice_t* handle) {
    if (!initialized || index != 0) return 2; /* NVML_ERROR_INVALID_ARGUMENT */
    *handle = &device;
    return 0;
}
int nvmlDeviceGetName(nvmlDevice_t handle, char* name, unsigned length) {
    (void)handle;
    strncpy(name, "NVIDIA Fake H200", length);
    return 0;
}
int nvmlDeviceGetMemoryInfo(nvmlDevice_t handle, nvmlMemory_t* memory) {
    (void)handle;
    memory->total = 141ull << 30;
    memory->used = 12ull << 30;
    memory->free = memory->total - memory->used;
    return 0;
}
int nvmlDeviceGetUtilizationRates(nvmlDevice_t handle, nvmlUtilization_t* rates) {
    (void)handle;
    rates->gpu = 87;
    rates->memory = 40;
    return 0;
}
int nvmlDeviceGetPowerUsage(nvmlDevice_t handle, unsigned* milliwatts) {
    (void)handle;
    *milliwatts = 312000;
    return 0;
}
int nvmlDeviceGetTemperature(nvmlDevice_t handle, int sensor, unsigned* celsius) {
    (void)handle;
    if (sensor != 0) return 2;
    *celsius = 54;
    return 0;
}
