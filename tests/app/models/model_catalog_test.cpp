// Model addresses (hf:, URLs, HF_ENDPOINT), the recommended models and their
// fit estimate, and the parsing of Hugging Face's search and file-list replies,
// also fetched from a local server that answers like the hub.
#include <gtest/gtest.h>

#include <QSignalSpy>

#include "models/hugging_face_search.h"
#include "models/model_catalog.h"
#include "models/model_source.h"
#include "support/fake_hugging_face.h"

namespace ps {
namespace {

const QUrl kHub("https://huggingface.co");

TEST(ModelSource, HuggingFaceAddressesBecomeResolveUrls) {
    QString error;
    auto source = parseModelSource("hf:bartowski/Llama-3.2-1B-Instruct-GGUF/Llama-3.2-1B-Instruct-Q4_K_M.gguf", kHub, &error);
    ASSERT_TRUE(source) << error.toStdString();
    EXPECT_EQ(source->url.toString(), "https://huggingface.co/bartowski/Llama-3.2-1B-Instruct-GGUF/"
                                      "resolve/main/Llama-3.2-1B-Instruct-Q4_K_M.gguf");
    EXPECT_EQ(source->repo, "bartowski/Llama-3.2-1B-Instruct-GGUF");
    EXPECT_EQ(source->fileName, "Llama-3.2-1B-Instruct-Q4_K_M.gguf");

    source = parseModelSource("hf:o/r/sub folder/m.gguf", QUrl("http://mirror.example/hf/"), &error);
    ASSERT_TRUE(source) << error.toStdString();
    EXPECT_EQ(source->url.toString(QUrl::FullyEncoded),
              "http://mirror.example/hf/o/r/resolve/main/sub%20folder/m.gguf");
    EXPECT_EQ(source->pathInRepo, "sub folder/m.gguf");
    EXPECT_EQ(source->fileName, "m.gguf");
}

TEST(ModelSource, PastedPageAndResolveUrlsAreUnderstood) {
    auto source = parseModelSource("https://huggingface.co/o/r/blob/main/m-Q8_0.gguf", kHub);
    ASSERT_TRUE(source);
    EXPECT_EQ(source->url.toString(), "https://huggingface.co/o/r/resolve/main/m-Q8_0.gguf");
    EXPECT_EQ(source->repo, "o/r");

    source = parseModelSource("https://example.com/files/model.gguf?download=true", kHub);
    ASSERT_TRUE(source);
    EXPECT_EQ(source->fileName, "model.gguf");
    EXPECT_TRUE(source->repo.isEmpty());
}

TEST(ModelSource, BadAddressesAreRefusedWithASentence) {
    for (const char* bad : {"hf:only-owner/repo", "hf:o/r/../etc/passwd", "ftp://x/y.gguf",
                            "model.gguf", "https://example.com/", "hf:o/r/.hidden/",
                            "https://example.com/.."}) {
        QString error;
        EXPECT_FALSE(parseModelSource(bad, kHub, &error)) << bad;
        EXPECT_FALSE(error.isEmpty()) << bad;
    }
}

TEST(ModelSource, HfEndpointIsHonoured) {
    qputenv("HF_ENDPOINT", "http://127.0.0.1:8080/");
    EXPECT_EQ(huggingFaceEndpoint().toString(), "http://127.0.0.1:8080");
    qputenv("HF_ENDPOINT", "not a url");
    EXPECT_EQ(huggingFaceEndpoint().toString(), "https://huggingface.co");
    qunsetenv("HF_ENDPOINT");
    EXPECT_EQ(huggingFaceEndpoint().toString(), "https://huggingface.co");
    qputenv("HF_TOKEN", " hf_abc \n");
    EXPECT_EQ(huggingFaceToken(), "hf_abc");
    qunsetenv("HF_TOKEN");
}

TEST(ModelCatalog, EveryRecommendedModelIsAHubFileThisProgramCanRun) {
    ASSERT_GE(recommendedModels().size(), 6);
    uint64_t previous = 0;
    for (const RecommendedModel& model : recommendedModels()) {
        QString error;
        const auto source = parseModelSource(model.address, kHub, &error);
        ASSERT_TRUE(source) << model.address.toStdString() << ": " << error.toStdString();
        EXPECT_FALSE(source->repo.isEmpty());
        EXPECT_EQ(quantizationFromFileName(source->fileName), model.quantization)
            << model.address.toStdString();
        EXPECT_TRUE(quantizationLikelyRunnable(model.quantization)) << model.name.toStdString();
        EXPECT_FALSE(model.licence.isEmpty());
        EXPECT_FALSE(model.goodAt.isEmpty());
        EXPECT_GE(model.approximateBytes, previous) << "smallest first";
        previous = model.approximateBytes;
        EXPECT_GT(model.shape().gpuBytesNeeded(4096), model.approximateBytes);
    }
}

TEST(ModelCatalog, FitDependsOnTheGpuAndTheMemory) {
    const RecommendedModel& small = recommendedModels().front();
    const RecommendedModel& large = recommendedModels().back();
    constexpr uint64_t GiB = 1ull << 30;
    EXPECT_EQ(estimateFit(large.shape(), 24 * GiB, 64 * GiB).fit, ModelFit::OnGpu);
    EXPECT_EQ(estimateFit(large.shape(), 2 * GiB, 64 * GiB).fit, ModelFit::InMemory);
    EXPECT_EQ(estimateFit(large.shape(), 0, 4 * GiB).fit, ModelFit::TooBig);
    EXPECT_EQ(estimateFit(small.shape(), 0, 4 * GiB).fit, ModelFit::InMemory);
    const FitEstimate estimate = estimateFit(large.shape(), 0, 0);
    EXPECT_EQ(estimate.fit, ModelFit::InMemory) << "unknown memory is not 'too big'";
    EXPECT_GT(estimate.cpuBytes, estimate.gpuBytes) << "the CPU keeps the cache in FP32";
    EXPECT_EQ(describeFit(estimateFit(large.shape(), 24 * GiB, 0)), "Fits on your GPU");
    EXPECT_GT(availableMemoryBytes(), 0u) << "/proc/meminfo is read";
}

TEST(HuggingFaceNames, QuantizationIsReadFromFileNames) {
    EXPECT_EQ(quantizationFromFileName("Llama-3.2-1B-Instruct-Q4_K_M.gguf"), "Q4_K_M");
    EXPECT_EQ(quantizationFromFileName("qwen2.5-0.5b-instruct-q8_0.gguf"), "Q8_0");
    EXPECT_EQ(quantizationFromFileName("Phi-3.5-mini-instruct-IQ4_XS.gguf"), "IQ4_XS");
    EXPECT_EQ(quantizationFromFileName("model-f16.gguf"), "F16");
    EXPECT_EQ(quantizationFromFileName("model.gguf"), "");
    EXPECT_FALSE(quantizationLikelyRunnable("Q5_K_M"));
    EXPECT_TRUE(isSplitModelPart("big-Q4_K_M-00001-of-00003.gguf"));
    EXPECT_FALSE(isSplitModelPart("big-Q4_K_M.gguf"));
}

TEST(HuggingFaceReplies, SearchAndFileListsAreParsed) {
    const QByteArray search = R"([
        {"_id":"1","id":"bartowski/Qwen2.5-7B-Instruct-GGUF","likes":150,"downloads":98765,
         "gated":false,"lastModified":"2024-09-19T10:00:00.000Z","tags":["gguf"]},
        {"id":"meta/gated-GGUF","likes":3,"downloads":10,"gated":"manual"},
        {"likes":1}])";
    QString error;
    const auto repositories = parseRepositoryList(search, &error);
    EXPECT_TRUE(error.isEmpty());
    ASSERT_EQ(repositories.size(), 2);
    EXPECT_EQ(repositories[0].id, "bartowski/Qwen2.5-7B-Instruct-GGUF");
    EXPECT_EQ(repositories[0].downloads, 98765);
    EXPECT_EQ(repositories[0].likes, 150);
    EXPECT_FALSE(repositories[0].gated);
    EXPECT_TRUE(repositories[0].lastModified.isValid());
    EXPECT_TRUE(repositories[1].gated);

    const QByteArray tree = R"([
        {"type":"directory","path":"sub","oid":"x","size":0},
        {"type":"file","path":".gitattributes","size":1570,"oid":"y"},
        {"type":"file","path":"m-Q4_K_M.gguf","size":4683073504,"oid":"z",
         "lfs":{"oid":"65AB0000000000000000000000000000000000000000000000000000000000ff",
                "size":4683073504,"pointerSize":135}}])";
    const auto files = parseFileTree(tree, &error);
    ASSERT_EQ(files.size(), 1);
    EXPECT_EQ(files[0].path, "m-Q4_K_M.gguf");
    EXPECT_EQ(files[0].size, 4683073504);
    EXPECT_EQ(files[0].sha256, "65ab0000000000000000000000000000000000000000000000000000000000ff");

    EXPECT_TRUE(parseRepositoryList("<html>rate limited</html>", &error).isEmpty());
    EXPECT_FALSE(error.isEmpty());
    EXPECT_TRUE(parseFileTree(R"({"error":"x"})", &error).isEmpty());
    EXPECT_FALSE(error.isEmpty());
}

TEST(HuggingFaceSearch, AsksTheEndpointForGgufRepositoriesAndTheirFiles) {
    test::FakeHuggingFace hub;
    hub.setSearchReply(R"([{"id":"o/r-GGUF","downloads":5,"likes":1}])");
    hub.addFile("o/r-GGUF", "m-Q4_K_M.gguf", {QByteArray("GGUF1234")});
    hub.addFile("o/r-GGUF", "folder/m-Q8_0.gguf", {QByteArray("GGUF12345678")});
    HuggingFaceSearch search;
    search.setEndpoint(hub.endpoint());

    QSignalSpy found(&search, &HuggingFaceSearch::repositoriesFound);
    search.search("llama 3");
    ASSERT_TRUE(found.wait(5000));
    EXPECT_EQ(found.first().at(0).toString(), "llama 3");
    const auto repositories = found.first().at(1).value<QList<HubRepository>>();
    ASSERT_EQ(repositories.size(), 1);
    EXPECT_EQ(repositories[0].id, "o/r-GGUF");
    const QString request = hub.requests().last();
    EXPECT_TRUE(request.startsWith("GET /api/models?")) << request.toStdString();
    EXPECT_TRUE(request.contains("search=llama%203")) << request.toStdString();
    EXPECT_TRUE(request.contains("filter=gguf"));

    QSignalSpy listed(&search, &HuggingFaceSearch::filesListed);
    search.listFiles("o/r-GGUF");
    ASSERT_TRUE(listed.wait(5000));
    const auto files = listed.first().at(1).value<QList<HubFile>>();
    ASSERT_EQ(files.size(), 2) << "README.md is left out";
    EXPECT_TRUE(hub.requests().last().startsWith("GET /api/models/o/r-GGUF/tree/main"));

    QSignalSpy failed(&search, &HuggingFaceSearch::failed);
    search.listFiles("nobody/nothing");
    ASSERT_TRUE(failed.wait(5000));
    EXPECT_EQ(failed.first().at(0).toString(), "files");
    EXPECT_TRUE(failed.first().at(1).toString().contains("404"));
}

}  // namespace
}  // namespace ps
