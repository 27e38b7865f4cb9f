// createBackend() on a machine with or without a GPU: never throws, and where
// the GPU is not used it says why. Not labelled `gpu`: it runs everywhere.
#include <gtest/gtest.h>

#include "backend/backend.h"
#include "cuda_test_support.h"
#include "model/model.h"
#include "support/shared_data.h"

namespace ps {
namespace {

TEST(CudaFallback, AutomaticFallsBackToTheCpuWithAReasonWhenThereIsNoGpu) {
    PS_REQUIRE_SHARED_FILE(modelPath, "models/stories260K.gguf");
    const auto model = Model::load(modelPath);
    BackendOptions options;
    options.contextLength = 64;
    std::string whyNot;
    const bool gpuWorks = tryCreateCudaBackend(model, options, whyNot) != nullptr;

    const BackendSelection selection = createBackend(model, options);
    ASSERT_TRUE(selection.backend);
    if (gpuWorks) {
        EXPECT_EQ(selection.backend->kind(), BackendKind::Cuda);
        EXPECT_TRUE(selection.fallbackReason.empty()) << selection.fallbackReason;
    } else {
        EXPECT_EQ(selection.backend->kind(), BackendKind::Cpu);
        EXPECT_FALSE(selection.fallbackReason.empty());
        EXPECT_EQ(selection.fallbackReason, whyNot);
        if (test::isNoGpuReason(whyNot)) {
            // "no NVIDIA GPU found (<the driver's words>)"
            EXPECT_NE(whyNot.find('('), std::string::npos) << whyNot;
        }
        // The CPU runs the model all the same.
        std::vector<float> logits(512);
        const std::vector<int32_t> tokens{1, 403};
        EXPECT_NO_THROW(selection.backend->forward(tokens, 0, logits));
    }
}

TEST(CudaFallback, TheCpuChoiceNeverTouchesTheGpu) {
    PS_REQUIRE_SHARED_FILE(modelPath, "models/stories260K.gguf");
    const auto model = Model::load(modelPath);
    BackendOptions options;
    options.choice = BackendOptions::Choice::Cpu;
    options.contextLength = 64;
    const BackendSelection selection = createBackend(model, options);
    ASSERT_TRUE(selection.backend);
    EXPECT_EQ(selection.backend->kind(), BackendKind::Cpu);
    EXPECT_TRUE(selection.fallbackReason.empty());
}

TEST(CudaFallback, AMissingDeviceIsAReasonNotACrash) {
    PS_REQUIRE_SHARED_FILE(modelPath, "models/stories260K.gguf");
    const auto model = Model::load(modelPath);
    BackendOptions options;
    options.cudaDevice = 99;
    std::string whyNot;
    EXPECT_EQ(tryCreateCudaBackend(model, options, whyNot), nullptr);
    EXPECT_FALSE(whyNot.empty());
}

}  // namespace
}  // namespace ps
