#pragma once
// Demo mode's race: the same app on two engines at once, each with its own model
// copy, backend and KV cache, so that neither waits for the other. Which two:
//   - the GPU against the CPU, where the CUDA backend takes the model;
//   - otherwise every core against one core (the same model, two thread counts);
//   - or two model files (two quantizations, two sizes), when a second one is named.
#include <QObject>
#include <QString>

#include <functional>
#include <memory>

#include "runner/generation_service.h"

namespace ps {

struct RaceEngine {
    QString label;  // for the stage: "GPU: NVIDIA H200", "CPU (16 threads, AVX-512)", a model's file name
    std::shared_ptr<GenerationService> service;
};

struct RaceEngines {
    RaceEngine first;   // the one expected to win (the GPU, more threads)
    RaceEngine second;
};

struct RaceOptions {
    int contextLength = 0;  // 0 = the backend's default
    int cpuThreads = 0;     // the CPU side's threads where there is no GPU race; 0 = every core
    bool tryGpu = true;     // false: never the GPU (tests, a machine whose GPU is busy)
    QString secondModel;    // race this model file against the first instead of two devices
};

// Loads both engines; blocks (seconds for a large model). Throws GenerationServiceError.
RaceEngines loadRaceEngines(const QString& modelPath, const RaceOptions& options = {});

// The same on a thread of its own, a child of `context`; `done` runs on `context`'s
// thread with the engines or an error message. `context` must wait for its child
// QThreads before it is destroyed (as ModelSession does).
void loadRaceEnginesInBackground(QObject* context, const QString& modelPath, const RaceOptions& options,
                                 std::function<void(RaceEngines engines, QString error)> done);

}  // namespace ps
