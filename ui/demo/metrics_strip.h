#pragma once
// The live metrics strip along the bottom of the stage: time to the first token,
// tokens per second with a sparkline of the last seconds, tokens written, prompt
// tokens reused from the cache, the model and its quantization, and the device (the
// GPU's name, memory, utilization, power and temperature through NVML, or the CPU's
// name, cores and memory). Painted by hand: one paint per update, no child widgets.
#include <QList>
#include <QString>
#include <QWidget>

namespace ps {
struct MachineSample;
}

namespace ps::ui {

class MetricsStrip : public QWidget {
    Q_OBJECT
public:
    explicit MetricsStrip(QWidget* parent = nullptr);

    // A run starts: the run's figures are cleared (the sparkline too).
    void startRun();
    // Live figures while the model writes (-1 = not yet); each call adds a reading
    // to the sparkline.
    void setLive(double timeToFirstTokenMs, int tokens, double tokensPerSecond);
    // The first token's time and the count, between readings of the speed.
    void setCounts(double timeToFirstTokenMs, int tokens);
    // The final figures of a run.
    void setFinal(double timeToFirstTokenMs, int tokens, double tokensPerSecond, int reusedPromptTokens,
                  int promptTokens);
    // "stories260K · F32"
    void setModel(const QString& model);
    void setMachine(const MachineSample& sample);
    // The type size of the figures (the stage scales it with the screen).
    void setValuePointSize(double points);

    // What the strip shows, "caption: value" per cell, for tests and screen readers.
    QStringList cells() const;
    QString deviceText() const { return device_; }
    int sparklinePoints() const { return int(speeds_.size()); }

    QSize sizeHint() const override;
    // Any width: the cells are elided on a narrow screen rather than widening the stage.
    QSize minimumSizeHint() const override { return {0, sizeHint().height()}; }

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    void pushSpeed(double tokensPerSecond);
    void refresh();

    double firstTokenMs_ = -1;
    int tokens_ = -1;
    double tokensPerSecond_ = -1;
    int reused_ = -1;
    int promptTokens_ = -1;
    QString model_;
    QString device_;
    QString deviceDetail_;
    QList<double> speeds_;  // the last kSparklineSamples readings
    double valuePointSize_ = 18;
};

}  // namespace ps::ui
