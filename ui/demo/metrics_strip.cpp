#include "demo/metrics_strip.h"

#include <QPainter>
#include <QPainterPath>

#include <algorithm>

#include "demo/stage_look.h"
#include "machine/machine_monitor.h"
#include "models/model_summary.h"
#include "run/duration_text.h"

namespace ps::ui {

namespace {

constexpr int kSparklineSamples = 60;  // a reading per flush or tick: the last seconds

QString orDash(bool known, const QString& text) { return known ? text : QStringLiteral("–"); }

}  // namespace

MetricsStrip::MetricsStrip(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("metricsStrip"));
    setAttribute(Qt::WA_OpaquePaintEvent);
    setAccessibleName(tr("Metrics"));
}

void MetricsStrip::setValuePointSize(double points) {
    valuePointSize_ = points;
    updateGeometry();
    update();
}

QSize MetricsStrip::sizeHint() const {
    const QFontMetrics value(stage::scaled(font(), valuePointSize_, true));
    const QFontMetrics caption(stage::scaled(font(), valuePointSize_ * 0.55));
    return {value.averageCharWidth() * 80, caption.lineSpacing() + value.lineSpacing() * 2 + value.height() / 2};
}

void MetricsStrip::startRun() {
    firstTokenMs_ = -1;
    tokens_ = -1;
    tokensPerSecond_ = -1;
    reused_ = -1;
    promptTokens_ = -1;
    speeds_.clear();
    refresh();
}

void MetricsStrip::setLive(double timeToFirstTokenMs, int tokens, double tokensPerSecond) {
    firstTokenMs_ = timeToFirstTokenMs;
    tokens_ = tokens;
    tokensPerSecond_ = tokensPerSecond;
    if (tokensPerSecond >= 0) pushSpeed(tokensPerSecond);
    refresh();
}

void MetricsStrip::setCounts(double timeToFirstTokenMs, int tokens) {
    firstTokenMs_ = timeToFirstTokenMs;
    tokens_ = tokens;
    refresh();
}

void MetricsStrip::setFinal(double timeToFirstTokenMs, int tokens, double tokensPerSecond, int reusedPromptTokens,
                            int promptTokens) {
    firstTokenMs_ = timeToFirstTokenMs;
    tokens_ = tokens;
    tokensPerSecond_ = tokensPerSecond;
    reused_ = reusedPromptTokens;
    promptTokens_ = promptTokens;
    if (tokensPerSecond > 0 && speeds_.isEmpty()) pushSpeed(tokensPerSecond);
    refresh();
}

void MetricsStrip::setModel(const QString& model) {
    model_ = model;
    refresh();
}

void MetricsStrip::setMachine(const MachineSample& sample) {
    if (sample.gpu) {
        const GpuSample& gpu = *sample.gpu;
        device_ = gpu.name.isEmpty() ? tr("NVIDIA GPU") : gpu.name;
        QStringList parts;
        parts << tr("%1 / %2").arg(formatBytes(gpu.memoryUsed), formatBytes(gpu.memoryTotal));
        if (gpu.utilizationPercent >= 0) parts << tr("%1% busy").arg(gpu.utilizationPercent);
        if (gpu.powerWatts >= 0) parts << tr("%1 W").arg(gpu.powerWatts, 0, 'f', 0);
        if (gpu.temperatureC >= 0) parts << tr("%1 °C").arg(gpu.temperatureC);
        deviceDetail_ = parts.join(QStringLiteral("  ·  "));
    } else {
        const CpuInfo& cpu = sample.cpu;
        device_ = cpu.name.isEmpty() ? tr("CPU") : cpu.name;
        QStringList parts;
        if (cpu.logicalCores > 0) parts << tr("%n core(s)", nullptr, cpu.logicalCores);
        if (cpu.memoryTotal > 0) {
            parts << (cpu.memoryAvailable > 0
                          ? tr("%1 memory, %2 free").arg(formatBytes(cpu.memoryTotal), formatBytes(cpu.memoryAvailable))
                          : tr("%1 memory").arg(formatBytes(cpu.memoryTotal)));
        }
        deviceDetail_ = parts.join(QStringLiteral("  ·  "));
    }
    refresh();
}

void MetricsStrip::pushSpeed(double tokensPerSecond) {
    speeds_.append(tokensPerSecond);
    while (speeds_.size() > kSparklineSamples) speeds_.removeFirst();
}

QStringList MetricsStrip::cells() const {
    return {
        tr("First token: %1").arg(orDash(firstTokenMs_ >= 0, durationText(firstTokenMs_))),
        tr("Tokens/s: %1").arg(orDash(tokensPerSecond_ >= 0, QString::number(tokensPerSecond_, 'f', 1))),
        tr("Tokens: %1").arg(orDash(tokens_ >= 0, QString::number(tokens_))),
        tr("Reused from cache: %1")
            .arg(orDash(reused_ >= 0, tr("%1 of %2").arg(reused_).arg(promptTokens_))),
        tr("Model: %1").arg(orDash(!model_.isEmpty(), model_)),
        tr("Device: %1").arg(orDash(!device_.isEmpty(), deviceDetail_.isEmpty() ? device_
                                                                              : device_ + QStringLiteral("  ·  ") + deviceDetail_)),
    };
}

void MetricsStrip::refresh() {
    setToolTip(cells().join(QLatin1Char('\n')));
    update();
}

void MetricsStrip::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.fillRect(rect(), stage::surface());

    const QFont captionFont = stage::scaled(font(), valuePointSize_ * 0.55);
    const QFont valueFont = stage::scaled(font(), valuePointSize_, true);
    const QFont detailFont = stage::scaled(font(), valuePointSize_ * 0.7);
    const QFontMetrics caption(captionFont);
    const QFontMetrics value(valueFont);
    const int pad = value.height() / 2;
    const int top = pad / 2;
    const int valueTop = top + caption.lineSpacing();

    struct Cell {
        QString caption;
        QString value;
        int width;  // in average characters of the value font
    };
    const QList<Cell> cells = {
        {tr("First token"), orDash(firstTokenMs_ >= 0, durationText(firstTokenMs_)), 8},
        {tr("Tokens/s"), orDash(tokensPerSecond_ >= 0, QString::number(tokensPerSecond_, 'f', 1)), 15},
        {tr("Tokens"), orDash(tokens_ >= 0, QString::number(tokens_)), 6},
        {tr("Reused from cache"), orDash(reused_ >= 0, tr("%1 of %2").arg(reused_).arg(promptTokens_)), 9},
        {tr("Model"), orDash(!model_.isEmpty(), model_), 19},
    };
    int x = pad;
    const int charWidth = value.averageCharWidth();
    for (int i = 0; i < cells.size(); ++i) {
        const Cell& cell = cells[i];
        const int width = std::max(cell.width * charWidth, caption.horizontalAdvance(cell.caption));
        painter.setFont(captionFont);
        painter.setPen(stage::dimText());
        painter.drawText(QRect(x, top, width, caption.lineSpacing()), Qt::AlignLeft | Qt::AlignVCenter, cell.caption);
        painter.setFont(valueFont);
        painter.setPen(stage::text());
        const QString shown = value.elidedText(cell.value, Qt::ElideRight, width);
        painter.drawText(QRect(x, valueTop, width, value.lineSpacing()), Qt::AlignLeft | Qt::AlignVCenter, shown);
        if (i == 1 && speeds_.size() > 1) {
            // The sparkline: the speed of the last readings, scaled to its own maximum.
            const int textWidth = value.horizontalAdvance(QStringLiteral("0000.0 "));
            const QRectF box(x + textWidth, valueTop + value.lineSpacing() * 0.15, width - textWidth - pad / 2,
                             value.lineSpacing() * 0.7);
            const double peak = std::max(1.0, *std::max_element(speeds_.begin(), speeds_.end()));
            QPainterPath line;
            for (int s = 0; s < speeds_.size(); ++s) {
                const QPointF point(box.left() + box.width() * s / (kSparklineSamples - 1),
                                    box.bottom() - box.height() * speeds_[s] / peak);
                if (s == 0) line.moveTo(point);
                else line.lineTo(point);
            }
            painter.setPen(QPen(stage::accent(), std::max(2.0, value.height() / 12.0)));
            painter.drawPath(line);
        }
        x += width + pad;
    }
    // The device takes what is left: its name, and below it the live figures.
    const int width = std::max(0, this->width() - x - pad);
    painter.setFont(captionFont);
    painter.setPen(stage::dimText());
    painter.drawText(QRect(x, top, width, caption.lineSpacing()), Qt::AlignLeft | Qt::AlignVCenter, tr("Device"));
    painter.setFont(valueFont);
    painter.setPen(stage::text());
    painter.drawText(QRect(x, valueTop, width, value.lineSpacing()), Qt::AlignLeft | Qt::AlignVCenter,
                     value.elidedText(orDash(!device_.isEmpty(), device_), Qt::ElideRight, width));
    painter.setFont(detailFont);
    painter.setPen(stage::dimText());
    const QFontMetrics detail(detailFont);
    painter.drawText(QRect(x, valueTop + value.lineSpacing(), width, detail.lineSpacing()),
                     Qt::AlignLeft | Qt::AlignVCenter, detail.elidedText(deviceDetail_, Qt::ElideRight, width));
}

}  // namespace ps::ui
