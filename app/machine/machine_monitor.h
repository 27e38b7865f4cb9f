#pragma once
// Samples the machine for demo mode's metrics strip, off the GUI thread: the first
// NVIDIA GPU through NVML when the driver's library loads, else the CPU's name,
// cores and memory from /proc. One reading every interval, delivered as a signal on
// the monitor's thread; a slow driver call never holds up the stage.
#include <QMetaType>
#include <QObject>
#include <QString>

#include <optional>

#include "machine/cpu_info.h"
#include "machine/nvml_library.h"

class QThread;
class QTimer;

namespace ps {

struct MachineSample {
    std::optional<GpuSample> gpu;  // set when NVML answered
    CpuInfo cpu;                   // always (the name and cores do not change)
    QString whyNoGpu;              // why NVML gave nothing, in words
};

class MachineMonitor : public QObject {
    Q_OBJECT
public:
    // `nvmlPath`: the NVML library to load (tests pass a fake one).
    explicit MachineMonitor(QString nvmlPath = QString::fromLatin1(NvmlLibrary::kDefaultPath),
                            QObject* parent = nullptr);
    ~MachineMonitor() override;

    // Starts sampling every `intervalMs` (a first sample comes at once).
    void start(int intervalMs = 1000);
    void stop();

signals:
    void sampled(const ps::MachineSample& sample);

private:
    class Sampler;
    QThread* thread_ = nullptr;
    Sampler* sampler_ = nullptr;
};

}  // namespace ps

Q_DECLARE_METATYPE(ps::MachineSample)
