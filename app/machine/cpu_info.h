#pragma once
// The CPU and memory as Linux reports them in /proc (no NVML needed): what demo
// mode's metrics strip shows on a machine without an NVIDIA GPU.
#include <QString>

#include <cstdint>

namespace ps {

struct CpuInfo {
    QString name;              // "AMD EPYC 9654 96-Core Processor" (cpuinfo's "model name")
    int logicalCores = 0;      // "processor" entries
    uint64_t memoryTotal = 0;  // bytes (MemTotal)
    uint64_t memoryAvailable = 0;  // bytes programs can use without swapping (MemAvailable)
};

// Reads `procFolder`/cpuinfo and `procFolder`/meminfo (tests hand in a folder of
// their own). Missing files leave the fields empty.
CpuInfo readCpuInfo(const QString& procFolder = QStringLiteral("/proc"));

}  // namespace ps
