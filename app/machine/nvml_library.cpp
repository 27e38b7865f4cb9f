#include "machine/nvml_library.h"

#include <dlfcn.h>

namespace ps {

namespace {
// From nvml.h: every call returns nvmlReturn_t, 0 = NVML_SUCCESS.
using NvmlReturn = int;
using NvmlDevice = void*;
constexpr NvmlReturn kNvmlSuccess = 0;
constexpr int kNvmlTemperatureGpu = 0;  // NVML_TEMPERATURE_GPU
constexpr unsigned kNameLength = 96;    // NVML_DEVICE_NAME_V2_BUFFER_SIZE
struct NvmlMemory {                     // nvmlMemory_t
    unsigned long long total;
    unsigned long long free;
    unsigned long long used;
};
struct NvmlUtilization {  // nvmlUtilization_t
    unsigned gpu;
    unsigned memory;
};
}  // namespace

struct NvmlLibrary::Functions {
    NvmlReturn (*init)() = nullptr;
    NvmlReturn (*shutdown)() = nullptr;
    NvmlReturn (*deviceCount)(unsigned*) = nullptr;
    NvmlReturn (*handleByIndex)(unsigned, NvmlDevice*) = nullptr;
    NvmlReturn (*name)(NvmlDevice, char*, unsigned) = nullptr;
    NvmlReturn (*memory)(NvmlDevice, NvmlMemory*) = nullptr;
    NvmlReturn (*utilization)(NvmlDevice, NvmlUtilization*) = nullptr;
    NvmlReturn (*power)(NvmlDevice, unsigned*) = nullptr;  // milliwatts
    NvmlReturn (*temperature)(NvmlDevice, int, unsigned*) = nullptr;
};

std::unique_ptr<NvmlLibrary> NvmlLibrary::open(const QString& path, QString* why) {
    void* handle = dlopen(path.toLocal8Bit().constData(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        if (why) *why = QStringLiteral("no NVIDIA driver library (%1)").arg(QString::fromLocal8Bit(dlerror()));
        return nullptr;
    }
    auto fn = std::make_unique<Functions>();
    const auto bind = [handle](auto& pointer, const char* name) {
        pointer = reinterpret_cast<std::remove_reference_t<decltype(pointer)>>(dlsym(handle, name));
        return pointer != nullptr;
    };
    const bool complete = bind(fn->init, "nvmlInit_v2") && bind(fn->shutdown, "nvmlShutdown") &&
                          bind(fn->deviceCount, "nvmlDeviceGetCount_v2") &&
                          bind(fn->handleByIndex, "nvmlDeviceGetHandleByIndex_v2") &&
                          bind(fn->name, "nvmlDeviceGetName") && bind(fn->memory, "nvmlDeviceGetMemoryInfo");
    // Utilization, power and temperature are optional: a board may not report them.
    bind(fn->utilization, "nvmlDeviceGetUtilizationRates");
    bind(fn->power, "nvmlDeviceGetPowerUsage");
    bind(fn->temperature, "nvmlDeviceGetTemperature");
    if (!complete) {
        if (why) *why = QStringLiteral("%1 is not a usable NVML library (a function is missing)").arg(path);
        dlclose(handle);
        return nullptr;
    }
    const NvmlReturn status = fn->init();
    if (status != kNvmlSuccess) {
        if (why) *why = QStringLiteral("the NVIDIA driver did not start NVML (error %1)").arg(status);
        dlclose(handle);
        return nullptr;
    }
    return std::unique_ptr<NvmlLibrary>(new NvmlLibrary(handle, std::move(fn)));
}

NvmlLibrary::NvmlLibrary(void* handle, std::unique_ptr<Functions> functions)
    : handle_(handle), fn_(std::move(functions)) {}

NvmlLibrary::~NvmlLibrary() {
    fn_->shutdown();
    dlclose(handle_);
}

int NvmlLibrary::deviceCount() const {
    unsigned count = 0;
    return fn_->deviceCount(&count) == kNvmlSuccess ? int(count) : 0;
}

std::optional<GpuSample> NvmlLibrary::sample(int index) const {
    NvmlDevice device = nullptr;
    if (index < 0 || fn_->handleByIndex(unsigned(index), &device) != kNvmlSuccess) return std::nullopt;
    GpuSample sample;
    char name[kNameLength] = {};
    if (fn_->name(device, name, kNameLength) == kNvmlSuccess) {
        name[kNameLength - 1] = '\0';
        sample.name = QString::fromUtf8(name);
    }
    NvmlMemory memory{};
    if (fn_->memory(device, &memory) != kNvmlSuccess) return std::nullopt;
    sample.memoryUsed = memory.used;
    sample.memoryTotal = memory.total;
    NvmlUtilization utilization{};
    if (fn_->utilization && fn_->utilization(device, &utilization) == kNvmlSuccess)
        sample.utilizationPercent = int(utilization.gpu);
    unsigned milliwatts = 0;
    if (fn_->power && fn_->power(device, &milliwatts) == kNvmlSuccess) sample.powerWatts = milliwatts / 1000.0;
    unsigned celsius = 0;
    if (fn_->temperature && fn_->temperature(device, kNvmlTemperatureGpu, &celsius) == kNvmlSuccess)
        sample.temperatureC = int(celsius);
    return sample;
}

}  // namespace ps
