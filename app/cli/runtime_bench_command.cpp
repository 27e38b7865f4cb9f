// promptstudio-cli bench: prefill and decode speed of a model (or of a synthetic
// random-weight model of a real shape), through inference/bench/benchmark.h.
#include <QCommandLineParser>
#include <QTextStream>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <stdexcept>

#include "bench/benchmark.h"
#include "bench/gpu_benchmark.h"
#include "bench/synthetic_model.h"
#include "gguf/gguf_writer.h"
#include "tensor/tensor_type.h"
#include "bench/traffic_report.h"
#include "cli/cli_options.h"
#include "cli/cli_runtime_model.h"
#include "cli/runtime_commands.h"
#include "model/model.h"

namespace ps::cli {
namespace {

const QString kCommand = QStringLiteral("bench");

std::vector<int> parseLengths(const QString& text) {
    std::vector<int> lengths;
    for (const QString& part : text.split(',', Qt::SkipEmptyParts)) {
        bool ok = false;
        const int length = part.trimmed().toInt(&ok);
        if (!ok || length < 1 || length > (1 << 20)) {
            throw UsageError(
                "--prefill takes prompt lengths separated by commas (e.g. 64,512), not '" + text +
                "'");
        }
        lengths.push_back(length);
    }
    if (lengths.empty()) throw UsageError("--prefill needs at least one length");
    return lengths;
}

// --traffic: one decode token counted kernel by kernel on the emulated device,
// then a short prefill (--traffic-prefill tokens; 0 skips it).
ExitCode runTrafficReport(const QCommandLineParser& parser, const QCommandLineOption& model,
                     const QCommandLineOption& synthetic, const QCommandLineOption& type,
                     const QCommandLineOption& json, const QCommandLineOption& layersOption,
                     const QCommandLineOption& positionOption, const QCommandLineOption& prefillOption,
                     BackendOptions backendChoice) {
    const int position = intValue(parser, positionOption, 16, 0, 1 << 20);
    const int prefillTokens = intValue(parser, prefillOption, 8, 0, 256);  // one prefill chunk at most
    if (prefillTokens == 1) throw UsageError("--traffic-prefill takes 0 (none) or 2 or more tokens");
    std::shared_ptr<const Model> loaded;
    std::string name;
    if (parser.isSet(model)) {
        loaded = loadModelFile(parser.value(model));
        name = parser.value(model).toStdString();
    } else {
        std::optional<SyntheticModelShape> shape =
            syntheticModelShape(parser.value(synthetic).trimmed().toLower().toStdString());
        if (!shape) throw UsageError("unknown --synthetic shape '" + parser.value(synthetic) + "'");
        const int fullLayers = shape->layerCount;
        const int layers = intValue(parser, layersOption, 2, 0, 1000);
        if (layers > 0 && layers < fullLayers) shape->layerCount = layers;
        name = shape->name + (shape->layerCount < fullLayers ? ", " + std::to_string(shape->layerCount) + " of " +
                                                                   std::to_string(fullLayers) + " layers"
                                                             : std::string());
        try {
            const std::string typeName = parser.value(type).trimmed().toUpper().toStdString();
            std::optional<TensorType> weightType;
            for (TensorType t : {TensorType::F32, TensorType::F16, TensorType::BF16, TensorType::Q8_0,
                                 TensorType::Q4_0, TensorType::Q4_K, TensorType::Q6_K}) {
                if (typeName == tensorTypeInfo(t).name) weightType = t;
            }
            if (!weightType) throw std::invalid_argument("unknown --type '" + typeName + "'");
            loaded = buildSyntheticModel(*shape, *weightType);
        } catch (const std::invalid_argument& error) {
            throw UsageError(QString::fromStdString(error.what()));
        }
    }
    if (backendChoice.contextLength == 0) backendChoice.contextLength = std::max({64, position + 1, prefillTokens});
    const auto backend = createBackendForCommand(loaded, backendChoice);
    TrafficReport report = measureDecodeTraffic(*backend, position);
    report.model = name;
    report.weightType = parser.isSet(model) ? std::string() : parser.value(type).trimmed().toUpper().toStdString();
    PrefillTrafficReport prefill;
    if (prefillTokens > 0) prefill = measurePrefillTraffic(*backend, prefillTokens);
    const std::string text = (parser.isSet(json) ? toJson(report, prefill)
                                                 : toText(report) + (prefill.tokens ? "\n" + toText(prefill) : "")) +
                             "\n";
    std::fwrite(text.data(), 1, text.size(), stdout);
    return kExitOk;
}

int runBench(const QStringList& arguments) {
    QCommandLineParser parser;
    const QCommandLineOption model("model", "The model (GGUF file).", "FILE");
    const QCommandLineOption synthetic(
        "synthetic",
        QStringLiteral("A random-weight model of this shape instead: %1.")
            .arg(QString::fromStdString([] {
                std::string names;
                for (const auto& n : syntheticModelShapeNames())
                    names += (names.empty() ? "" : ", ") + n;
                return names;
            }())),
        "SHAPE");
    const QCommandLineOption type(
        "type",
        "Weight type of the synthetic model (F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K, or Q4_K_M: llama.cpp's mix).",
        "TYPE", "Q8_0");
    const QCommandLineOption json("json", "Print one JSON object.");
    const QCommandLineOption writeGguf(
        "write-gguf", "Write the synthetic model to this GGUF file instead of measuring (to bench another program on it).",
        "FILE");
    const QCommandLineOption prefill("prefill", "Prompt lengths to measure prefill at.", "N,N",
                                     "64,512");
    const QCommandLineOption decodeTokens("decode-tokens", "Decode steps measured.", "N", "64");
    const QCommandLineOption longContext(
        "long-context", "Also measure decode at this position (0 = no).", "N", "0");
    const QCommandLineOption repetitions("repetitions",
                                         "Each figure is the best of this many runs.", "N", "2");
    const QCommandLineOption traffic(
        "traffic",
        "Count the memory traffic of one decode token per kernel instead of timing (needs --backend "
        "cuda-emulated).");
    const QCommandLineOption trafficLayers(
        "traffic-layers", "Layers of the synthetic shape the traffic count runs (a slice; 0 = all).", "N", "2");
    const QCommandLineOption trafficPosition("traffic-position", "Position of the decode token counted.", "N", "16");
    const QCommandLineOption trafficPrefill(
        "traffic-prefill", "Tokens of the short prefill the traffic count also runs (0 = none).", "N", "8");
    BackendCommandOptions backendOptions;
    parser.addOptions({model, synthetic, type, json, writeGguf, prefill, decodeTokens, longContext, repetitions, traffic,
                       trafficLayers, trafficPosition, trafficPrefill});
    backendOptions.addTo(parser);
    if (auto exit = parseRuntimeArguments(
            parser, arguments, kCommand,
            "Measures prefill and decode speed (tokens/s, time to first token, GB/s).")) {
        return *exit;
    }
    return runGuarded(kCommand, [&] {
        if (parser.isSet(model) == parser.isSet(synthetic)) {
            throw UsageError("give either --model FILE or --synthetic SHAPE");
        }
        BenchmarkOptions options;
        options.prefillLengths = parseLengths(parser.value(prefill));
        options.decodeTokens = intValue(parser, decodeTokens, 64, 1, 1 << 20);
        options.longContext = intValue(parser, longContext, 0, 0, 1 << 20);
        options.repetitions = intValue(parser, repetitions, 2, 1, 1000);
        BackendOptions backendChoice = backendOptions.read(parser);
        options.threads = backendChoice.threads;

        if (parser.isSet(traffic)) {
            if (backendChoice.choice != BackendOptions::Choice::CudaEmulated)
                throw UsageError("--traffic counts on the emulated device: add --backend cuda-emulated");
            return runTrafficReport(parser, model, synthetic, type, json, trafficLayers, trafficPosition,
                                    trafficPrefill, backendChoice);
        }
        if (parser.isSet(writeGguf)) {
            if (!parser.isSet(synthetic)) throw UsageError("--write-gguf writes a --synthetic model");
            const std::optional<SyntheticModelShape> shape =
                syntheticModelShape(parser.value(synthetic).trimmed().toLower().toStdString());
            if (!shape) throw UsageError("unknown --synthetic shape '" + parser.value(synthetic) + "'");
            try {
                makeSyntheticGguf(*shape, parser.value(type).trimmed().toUpper().toStdString())
                    .writeFile(parser.value(writeGguf).toStdString());
            } catch (const std::invalid_argument& error) {
                throw UsageError(QString::fromStdString(error.what()));
            }
            return kExitOk;
        }
        std::shared_ptr<const Model> loaded;
        if (parser.isSet(model)) {
            loaded = loadModelFile(parser.value(model));
        } else {
            try {
                loaded =
                    buildSyntheticModel(parser.value(synthetic).trimmed().toLower().toStdString(),
                                        parser.value(type).trimmed().toUpper().toStdString());
            } catch (const std::invalid_argument& error) {
                throw UsageError(QString::fromStdString(error.what()));
            }
        }
        // Room for the longest measurement unless the context was given.
        if (backendChoice.contextLength == 0) {
            int needed = options.decodePromptTokens + options.decodeTokens;
            for (int length : options.prefillLengths) needed = std::max(needed, length);
            if (options.longContext > 0)
                needed = std::max(needed, options.longContext + options.decodeTokens);
            backendChoice.contextLength = needed;
        }
        const auto loadStart = std::chrono::steady_clock::now();
        const auto backend = createBackendForCommand(loaded, backendChoice);
        const double loadSeconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - loadStart).count();
        BenchmarkResult result = runBenchmark(*backend, options);
        result.backendLoadSeconds = loadSeconds;
        // On a GPU: the device's ceilings, the fractions of them reached, cached-prefix TTFT.
        if (backend->kind() == BackendKind::Cuda) {
            addGpuMeasurements(*backend, backendChoice.cudaDevice, GpuBenchmarkOptions{}, result);
        }
        const std::string text = (parser.isSet(json) ? toJson(result) : toText(result)) + "\n";
        std::fwrite(text.data(), 1, text.size(), stdout);
        return kExitOk;
    });
}

}  // namespace

CliCommand benchCommand() {
    return {"bench", "Measure prefill and decode speed of a model or a synthetic one", runBench};
}

}  // namespace ps::cli
