// promptstudio-cli download: gets a model file from Hugging Face (or any web
// address) into the models folder, with progress on stderr. Ctrl-C stops it and
// keeps FILE.part: the same command continues where it stopped.
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTextStream>
#include <QTimer>

#include <unistd.h>

#include "cli/app_command_support.h"
#include "cli/cli_interrupt.h"
#include "cli/runtime_commands.h"
#include "backend/backend_factory.h"
#include "models/model_catalog.h"
#include "models/model_download.h"
#include "models/model_scanner.h"
#include "models/model_source.h"
#include "models/model_summary.h"

namespace ps::cli {
namespace {

const QString kCommand = QStringLiteral("download");

// "1:05" / "1:02:05"
QString durationText(qint64 seconds) {
    const qint64 h = seconds / 3600;
    const qint64 m = seconds / 60 % 60;
    const qint64 s = seconds % 60;
    return h > 0 ? QStringLiteral("%1:%2:%3").arg(h).arg(m, 2, 10, QChar('0')).arg(s, 2, 10, QChar('0'))
                 : QStringLiteral("%1:%2").arg(m).arg(s, 2, 10, QChar('0'));
}

// Progress on stderr: one line rewritten in place on a terminal, a line per
// tenth of the file otherwise (logs stay short).
class ProgressPrinter {
public:
    ProgressPrinter() : terminal_(::isatty(STDERR_FILENO) == 1) { clock_.start(); }

    void update(qint64 received, qint64 total) {
        if (startBytes_ < 0) startBytes_ = received;
        const double seconds = clock_.elapsed() / 1000.0;
        const double rate = seconds > 0.5 ? (received - startBytes_) / seconds : 0.0;
        QString line;
        if (total > 0) {
            const int percent = static_cast<int>(100 * received / total);
            if (!terminal_ && percent / 10 == lastTenth_) return;
            lastTenth_ = percent / 10;
            line = QStringLiteral("%1% %2 of %3").arg(percent, 3).arg(ps::formatBytes(received),
                                                                    ps::formatBytes(total));
            if (rate > 0) {
                line += QStringLiteral(", %1/s, %2 left")
                            .arg(ps::formatBytes(static_cast<uint64_t>(rate)),
                                 durationText(static_cast<qint64>((total - received) / rate)));
            }
        } else {
            if (!terminal_) return;
            line = ps::formatBytes(received);
        }
        QTextStream err(stderr);
        if (terminal_) {
            err << "\r" << line.leftJustified(previousWidth_) << Qt::flush;
            previousWidth_ = line.size();
        } else {
            err << line << "\n";
        }
    }

    // Ends the rewritten line before other text.
    void breakLine() {
        if (terminal_ && previousWidth_ > 0) QTextStream(stderr) << "\n";
        previousWidth_ = 0;
    }

private:
    bool terminal_;
    QElapsedTimer clock_;
    qint64 startBytes_ = -1;
    int lastTenth_ = -1;
    int previousWidth_ = 0;
};

int listRecommended() {
    uint64_t gpuFree = 0;
    QString gpuText = QStringLiteral("no GPU");
    const GpuListing listing = listCudaGpus();
    if (!listing.gpus.empty()) {
        gpuFree = listing.gpus.front().freeBytes;
        gpuText = QStringLiteral("%1, %2 free").arg(QString::fromStdString(listing.gpus.front().name),
                                                    ps::formatBytes(gpuFree));
    }
    const uint64_t memory = availableMemoryBytes();
    QTextStream out(stdout);
    out << "Recommended models (" << gpuText << "; " << ps::formatBytes(memory)
        << " of memory available):\n\n";
    for (const RecommendedModel& model : recommendedModels()) {
        const FitEstimate fit = estimateFit(model.shape(), gpuFree, memory);
        out << model.name << " (" << model.quantization << ", about "
            << ps::formatBytes(model.approximateBytes) << ", " << model.licence << ")\n"
            << "  " << model.goodAt << "\n"
            << "  " << describeFit(fit) << "\n"
            << "  promptstudio-cli download " << model.address << "\n\n";
    }
    return kExitOk;
}

int runDownload(const QStringList& arguments) {
    QCommandLineParser parser;
    const QCommandLineOption output(
        "output",
        QStringLiteral("The folder to save into (default: %1).")
            .arg(modelDownloadFolder(QDir::homePath())),
        "DIR");
    const QCommandLineOption sha256("sha256", "The SHA-256 the file must have, when the server "
                                              "does not announce one.", "HEX");
    const QCommandLineOption list("list", "List recommended models and whether they fit here.");
    parser.addOptions({output, sha256, list});
    parser.addPositionalArgument("SOURCE", "hf:OWNER/REPO/FILE.gguf or a web address.");
    if (auto exit = parseCommandLine(
            parser, arguments, "download hf:OWNER/REPO/FILE.gguf|URL [--output DIR]",
            "Downloads a model file (resumable; checks the SHA-256 Hugging Face announces). "
            "HF_ENDPOINT selects another hub, HF_TOKEN is sent for gated models.")) {
        return *exit;
    }
    if (parser.isSet(list)) return listRecommended();
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1) {
        printCommandError(kCommand, positional.isEmpty()
                                        ? QStringLiteral("say what to download: "
                                                         "hf:OWNER/REPO/FILE.gguf or a URL")
                                        : QStringLiteral("one file at a time, please"));
        return kExitUsage;
    }
    QString error;
    const auto source = parseModelSource(positional.first(), huggingFaceEndpoint(), &error);
    if (!source) {
        printCommandError(kCommand, error);
        return kExitUsage;
    }
    const QString folder = parser.isSet(output) ? parser.value(output)
                                                : modelDownloadFolder(QDir::homePath());

    ModelDownload download(*source, folder);
    if (parser.isSet(sha256)) download.setExpectedSha256(parser.value(sha256));
    ProgressPrinter progress;
    QEventLoop loop;
    int exitCode = kExitFailure;
    QObject::connect(&download, &ModelDownload::progress, &loop,
                     [&](qint64 received, qint64 total) { progress.update(received, total); });
    QObject::connect(&download, &ModelDownload::note, &loop, [&](const QString& text) {
        progress.breakLine();
        QTextStream(stderr) << text << "\n";
    });
    QObject::connect(&download, &ModelDownload::finished, &loop, [&](const QString& path) {
        progress.breakLine();
        QTextStream(stderr) << "Saved " << QDir::toNativeSeparators(path) << "\n";
        QTextStream(stdout) << path << "\n";
        exitCode = kExitOk;
        loop.quit();
    });
    QObject::connect(&download, &ModelDownload::failed, &loop, [&](const QString& message) {
        progress.breakLine();
        printCommandError(kCommand, message);
        exitCode = kExitFailure;
        loop.quit();
    });

    InterruptGuard interrupt;
    QTimer interruptPoll;
    QObject::connect(&interruptPoll, &QTimer::timeout, &loop, [&] {
        if (!interrupt.interrupted()) return;
        download.pause();
        progress.breakLine();
        QTextStream(stderr) << "Stopped. " << QDir::toNativeSeparators(download.partPath())
                            << " is kept: run the same command again to continue.\n";
        exitCode = kExitCancelled;
        loop.quit();
    });
    interruptPoll.start(100);

    QTextStream(stderr) << "Downloading " << source->fileName << " from " << source->url.host()
                        << " into " << QDir::toNativeSeparators(folder) << "\n";
    QTimer::singleShot(0, &download, &ModelDownload::start);
    loop.exec();
    return exitCode;
}

}  // namespace

CliCommand downloadCommand() {
    return {"download", "Download a model from Hugging Face (hf:OWNER/REPO/FILE.gguf) or a URL",
            runDownload};
}

}  // namespace ps::cli
