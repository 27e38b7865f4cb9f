#include "machine/machine_monitor.h"

#include <QThread>
#include <QTimer>

namespace ps {

// Lives on the monitor's thread: opens NVML there once, then reads on a timer.
class MachineMonitor::Sampler : public QObject {
public:
    Sampler(MachineMonitor* monitor, QString nvmlPath) : monitor_(monitor), nvmlPath_(std::move(nvmlPath)) {}

    void start(int intervalMs) {
        if (!timer_) {
            timer_ = new QTimer(this);
            connect(timer_, &QTimer::timeout, this, &Sampler::sampleNow);
        }
        timer_->start(intervalMs);
        sampleNow();
    }
    void stop() {
        if (timer_) timer_->stop();
    }

private:
    void sampleNow() {
        if (!opened_) {
            opened_ = true;
            nvml_ = NvmlLibrary::open(nvmlPath_, &whyNoGpu_);
            if (nvml_ && nvml_->deviceCount() == 0) {
                nvml_.reset();
                whyNoGpu_ = QStringLiteral("no NVIDIA GPU found");
            }
            cpu_ = readCpuInfo();
        }
        MachineSample sample;
        if (nvml_) sample.gpu = nvml_->sample(0);
        sample.cpu = cpu_;
        const CpuInfo memory = readCpuInfo();  // MemAvailable changes; the rest does not
        sample.cpu.memoryAvailable = memory.memoryAvailable;
        sample.whyNoGpu = whyNoGpu_;
        emit monitor_->sampled(sample);  // queued to the monitor's thread
    }

    MachineMonitor* monitor_;
    QString nvmlPath_;
    QTimer* timer_ = nullptr;
    bool opened_ = false;
    std::unique_ptr<NvmlLibrary> nvml_;
    QString whyNoGpu_;
    CpuInfo cpu_;
};

MachineMonitor::MachineMonitor(QString nvmlPath, QObject* parent) : QObject(parent) {
    qRegisterMetaType<ps::MachineSample>();
    thread_ = new QThread(this);
    thread_->setObjectName(QStringLiteral("ps-machine"));
    sampler_ = new Sampler(this, std::move(nvmlPath));
    sampler_->moveToThread(thread_);
    thread_->start(QThread::LowPriority);
}

MachineMonitor::~MachineMonitor() {
    // The sampler (its timer, NVML) is deleted on its own thread, then the thread ends.
    QMetaObject::invokeMethod(sampler_, [sampler = sampler_] { delete sampler; }, Qt::BlockingQueuedConnection);
    thread_->quit();
    thread_->wait();
}

void MachineMonitor::start(int intervalMs) {
    QMetaObject::invokeMethod(sampler_, [sampler = sampler_, intervalMs] { sampler->start(intervalMs); },
                              Qt::QueuedConnection);
}

void MachineMonitor::stop() {
    QMetaObject::invokeMethod(sampler_, [sampler = sampler_] { sampler->stop(); }, Qt::QueuedConnection);
}

}  // namespace ps
