#pragma once
// NVIDIA's management library (NVML), loaded at run time with dlopen: the GPU's
// name, memory, utilization, power and temperature for demo mode's metrics strip.
// No build dependency and no CUDA needed: without the driver (or on a machine with
// no NVIDIA GPU) open() says why and the strip shows the CPU instead. Only the
// handful of functions below are used; their signatures are NVML's stable C API
// (nvml.h, "Device Queries").
#include <QString>

#include <cstdint>
#include <memory>
#include <optional>

namespace ps {

struct GpuSample {
    QString name;              // "NVIDIA H200"
    uint64_t memoryUsed = 0;   // bytes
    uint64_t memoryTotal = 0;  // bytes
    int utilizationPercent = -1;  // -1 = not reported
    double powerWatts = -1;       // -1 = not reported
    int temperatureC = -1;        // -1 = not reported
};

class NvmlLibrary {
public:
    // The library the NVIDIA driver installs.
    static constexpr const char* kDefaultPath = "libnvidia-ml.so.1";

    // Loads `path` (a file name searched the usual way, or a path: tests use a fake
    // library) and initializes NVML. Null with `why` in words when it cannot.
    static std::unique_ptr<NvmlLibrary> open(const QString& path = QString::fromLatin1(kDefaultPath),
                                             QString* why = nullptr);
    ~NvmlLibrary();
    NvmlLibrary(const NvmlLibrary&) = delete;
    NvmlLibrary& operator=(const NvmlLibrary&) = delete;

    int deviceCount() const;
    // One reading of device `index`; nullopt when the device cannot be read at all.
    // Fields a device does not report (power on some boards) stay at -1.
    std::optional<GpuSample> sample(int index) const;

private:
    struct Functions;
    NvmlLibrary(void* handle, std::unique_ptr<Functions> functions);
    void* handle_ = nullptr;
    std::unique_ptr<Functions> fn_;
};

}  // namespace ps
