#pragma once
// Demo mode's race: the same app on two engines at once, each with its own model
// copy, backend and KV cache, so that neither waits for the other. Which two:
//   - the GPU against the CPU, where the CUDA backend takes the model;
//   - otherwise every core against one core (the same model, two thread counts);
//   - or two model files (two quantizations, two sizes), when a second one is named;
//   - or what a deck's race slide sets (DeckRace: each side's model, device, threads).
#include <QList>
#include <QObject>
#include <QString>

#include <functional>
#include <memory>

#include "deck/deck.h"
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

// Loads the two sides a deck sets. `leftModel` and `rightModel` are the sides' model
// files (the deck's path resolved, the window's model where the deck names none).
// When the two models differ, each label starts with its model's file name.
// `sideLoaded` (may be empty) is called on this thread after each side. Throws
// GenerationServiceError.
RaceEngines loadConfiguredRace(const QString& leftModel, const QString& rightModel, const DeckRace& race,
                               const RaceOptions& options, const std::function<void()>& sideLoaded = {});

// One race a deck needs: the default pairing on `leftModel` (no setup), or a setup.
struct RaceRequest {
    QString key;  // the caller's name for it (slides with the same race share it)
    QString leftModel;
    QString rightModel;
    std::optional<DeckRace> setup;
};
struct RaceOutcome {
    QString key;
    RaceEngines engines;
    QString error;  // why it could not load; engines are empty then
};

// Loads `requests` one after another on a thread of its own, a child of `context`.
// `progress` runs on `context`'s thread after each engine (two per race) with the
// engines loaded so far and the one being loaded next ("stories260K on 1 thread");
// `done` runs there with every outcome. `context` must wait for its child QThreads
// before it is destroyed (as ModelSession does).
void loadRacesInBackground(QObject* context, const QList<RaceRequest>& requests, const RaceOptions& options,
                           std::function<void(int enginesLoaded, QString next)> progress,
                           std::function<void(QList<RaceOutcome> outcomes)> done);

}  // namespace ps
