// The CUDA backend: the forward pass on one NVIDIA GPU, for every architecture
// the model binder normalizes (llama, qwen2, phi3): the Q/K/V biases are added
// in the RoPE + KV-write kernel, RoPE pairs as the config says, attention masks
// keys past a sliding window, phi3's fused matrices arrive as separate ones.
//
// decode (one token)  embed -> per layer: norm + q/k/v matvec + rope + KV
//                     write (one launch), split attention (two), wo matvec
//                     (+residual), norm + gate/up matvec + SwiGLU, down matvec
//                     (+residual) -> norm + output matvec -> logits to pinned
//                     memory: six launches per layer. Captured once
//                     as a CUDA graph and replayed; token and position are read
//                     from device memory that the graph itself refreshes from a
//                     pinned host buffer.
// prefill (n tokens)  the same story layer by layer over a segment of up to
//                     kPrefillSegmentChunks chunks (the residual stream of all
//                     its tokens is kept), chunk by chunk inside each layer;
//                     each matrix is dequantized to FP16 (F16 used as stored)
//                     and multiplied with cublasGemmEx (tensor cores, FP32
//                     accumulation). Where memory allows (memory_plan.h), a
//                     layer's matrices are dequantized once per segment, the
//                     next layer's on a second stream while this layer's
//                     GEMMs run (two buffers, ordered by events); else every
//                     matrix per chunk. The output matrix runs on the last token only.
//                     Prompts of up to kBatchedMatvecMaxTokens tokens: the
//                     batched matvec instead (each weight read once for all
//                     tokens, nothing dequantized).
#include "backend/cuda/cuda_backend.h"

#include <cuda_fp16.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "backend/cpu/rope_frequencies.h"
#include "backend/cuda/attention_math.h"
#include "backend/cuda/cuda_buffers.h"
#include "backend/cuda/cuda_check.h"
#include "backend/cuda/device_memory_roles.h"
#include "backend/cuda/device_weights.h"
#include "backend/cuda/kernels.h"
#include "backend/cuda/memory_plan.h"
#include "backend/cuda/rope_math.h"
#include "model/model.h"

namespace ps {

namespace {

// Carves one allocation into aligned sub-buffers (256-byte boundaries keep
// every float4 / uint4 access aligned).
class Arena {
public:
    explicit Arena(uint64_t bytes) : storage_(bytes) {}
    const uint8_t* data() const { return storage_.get(); }
    uint64_t size() const { return storage_.size(); }
    template <typename T>
    T* take(int64_t count) {
        T* at = reinterpret_cast<T*>(storage_.get() + used_);
        used_ += (static_cast<uint64_t>(count) * sizeof(T) + 255) / 256 * 256;
        if (used_ > storage_.size()) throw BackendError("CUDA scratch arena overflow (a bug in ScratchLayout)");
        return at;
    }
    static uint64_t bytesFor(const ScratchLayout& s) {
        // Each take() rounds up to 256 bytes; fewer than 64 buffers.
        return s.bytes() + 64 * 256;
    }

private:
    DeviceBuffer<uint8_t> storage_;
    uint64_t used_ = 0;
};

// A layer's matrices as prefill's GEMMs read them when they were dequantized
// ahead (null: gemm() dequantizes itself, or the matrix is F16).
struct DequantizedLayer {
    const __half *wq = nullptr, *wk = nullptr, *wv = nullptr, *wo = nullptr;
    const __half *wGate = nullptr, *wUp = nullptr, *wDown = nullptr;
};

class CudaBackend final : public Backend {
public:
    CudaBackend(std::shared_ptr<const Model> model, int device, int contextLength, std::string deviceName,
                const std::vector<float>& inverseFrequencies, const ScratchLayout& layout);

    BackendKind kind() const override { return BackendKind::Cuda; }
    std::string deviceName() const override { return deviceName_; }
    int contextLength() const override { return contextLength_; }
    void forward(std::span<const int32_t> tokens, int startPos, std::span<float> logits) override;
    // A segment per call: its matrices are dequantized once (a 4096-token call
    // takes well under a second on a GPU, so a cancel is still seen soon).
    int prefillTokensPerCall() const override { return layout_.prefillSegmentTokens; }

private:
    void decode(int32_t token, int position);
    void enqueueDecodeStep();
    void prefillSegment(std::span<const int32_t> tokens, int startPos, bool last);
    void prefillChunk(int layer, const DequantizedLayer& dequantized, int chunk, int tokens);
    // Layer `layer`'s non-F16 matrices in buffer `slot` of dequantized_; with
    // `enqueue`, dequantizes them there on dequantStream_ and records layerReady_[slot].
    DequantizedLayer dequantizedLayer(int layer, int slot, bool enqueue);
    // Y[n x rows] (=|+=) X[n x cols] W^T with FP16 inputs and FP32 accumulation.
    // `dequantized`: W as FP16 made ahead of time (row-major, cols per row);
    // null: F16 is used as stored, other types are dequantized here.
    void gemm(const DeviceMatrix& w, const __half* x, int n, float* y, bool accumulate,
              const __half* dequantized = nullptr);
    // Scratch of the batched matvec (n <= kBatchedMatvecMaxTokens, nothing
    // dequantized ahead): the dequantization buffer as floats (at least the
    // largest layer matrix's rows x cols halves, which hold tokens x slices x
    // rows floats for any cut: slices <= cols / 32, tokens <= 16; the plan
    // checks the size) and the decode matvec's tickets.
    bool shortPrompt_ = false;  // forward() got <= kBatchedMatvecMaxTokens tokens: the batched matvec
    MatvecScratch batchedScratch() const {
        return MatvecScratch{reinterpret_cast<float*>(dequantized_), layout_.dequantHalves / 2,
                             matvecScratch_.tickets};
    }
    RopeKvParams ropeParams(int layer, float* q, const float* k, const float* v, int tokens, const int* startPos);
    AttentionParams attentionParams(int layer, const float* q, int queries, const int* startPos, bool decode,
                                    float* out);
    __half* kLayer(int layer) const { return kCache_.get() + kvShape_.offset(layer, 0, 0, 0); }
    __half* vLayer(int layer) const { return vCache_.get() + kvShape_.offset(layer, 0, 0, 0); }

    const ModelConfig& config_;
    int device_;
    int contextLength_;
    std::string deviceName_;
    bool useGraph_;

    CudaStream stream_;
    CudaStream dequantStream_;  // prefill: the next layer's matrices, while this layer's GEMMs run
    CublasHandle cublas_;
    DeviceWeights weights_;
    KvCacheShape kvShape_;
    DeviceBuffer<__half> kCache_, vCache_;
    DeviceBuffer<uint8_t> cublasWorkspace_;
    DeviceBuffer<float> inverseFrequencies_;
    ScratchLayout layout_;
    Arena arena_;

    // Decode buffers (FP32).
    float *x_, *xn_, *squares_, *q_, *k_, *v_, *att_, *gate_, *up_, *hidden_, *logits_, *decodePartials_;
    // FP16 copies of what the matvecs read: x after a norm (q/k/v, gate/up,
    // output), the attention output (wo), the FFN hidden state (down).
    __half *normedHalf_, *attHalf_, *hiddenHalf_;
    __half* qHalf_;  // q as FP16 for decode attention
    // The same vectors as 8-bit blocks (x_blocks.h), what matvecs of quantized
    // weights read; empty where a length is not a multiple of 32.
    XBlocks normedBlocks_, attBlocks_, hiddenBlocks_;
    MatvecScratch matvecScratch_;
    int* deviceStep_;  // [0] token, [1] position: what the decode graph reads
    // Prefill buffers.
    float *px_, *pq_, *pk_, *pv_, *patt_, *pgate_, *pup_, *prefillPartials_;
    __half *ph_, *dequantized_;
    int32_t* prefillTokens_;  // a segment's
    int* prefillStarts_;      // the position of each chunk's first token

    PinnedBuffer<int> hostStep_;          // token, position for the graph to copy
    PinnedBuffer<int32_t> hostPrefill_;   // tokens of a segment, then its chunks' start positions
    PinnedBuffer<float> hostLogits_;
    CudaEvent inputsCopied_, logitsReady_;
    // Prefill's double buffer: main stream -> dequantStream_ (the segment
    // started; a slot's GEMMs are done), dequantStream_ -> main (a slot is ready).
    CudaEvent segmentStarted_, layerReady_[2], layerDone_[2];
    CudaGraphExec decodeGraph_;
};

CudaBackend::CudaBackend(std::shared_ptr<const Model> model, int device, int contextLength, std::string deviceName,
                         const std::vector<float>& inverseFrequencies, const ScratchLayout& layout)
    : Backend(std::move(model)),
      config_(model_->config()),
      device_(device),
      contextLength_(contextLength),
      deviceName_(std::move(deviceName)),
      useGraph_(std::getenv("PROMPTSTUDIO_CUDA_GRAPHS") == nullptr ||
                std::string(std::getenv("PROMPTSTUDIO_CUDA_GRAPHS")) != "0"),
      weights_(*model_, stream_.get()),
      kvShape_{config_.layerCount, contextLength, config_.kvHeadCount, config_.headDim},
      kCache_(static_cast<size_t>(kvShape_.totalElements())),
      vCache_(static_cast<size_t>(kvShape_.totalElements())),
      cublasWorkspace_(kCublasWorkspaceBytes),
      inverseFrequencies_(inverseFrequencies.size()),
      layout_(layout),
      arena_(Arena::bytesFor(layout_)),
      hostStep_(2),
      hostPrefill_(static_cast<size_t>(2 * layout.prefillSegmentTokens)),
      hostLogits_(static_cast<size_t>(config_.vocabSize)) {
    const int64_t dim = config_.dim, qDim = static_cast<int64_t>(config_.headCount) * config_.headDim,
                  kvDim = config_.kvDim(), ffn = config_.ffnDim, chunk = layout_.prefillChunkTokens,
                  segment = layout_.prefillSegmentTokens;
    x_ = arena_.take<float>(dim);
    xn_ = arena_.take<float>(dim);
    squares_ = arena_.take<float>(dim);  // a partial sum per block of the matvec writing x: far fewer
    q_ = arena_.take<float>(qDim);
    att_ = arena_.take<float>(qDim);
    k_ = arena_.take<float>(kvDim);
    v_ = arena_.take<float>(kvDim);
    gate_ = arena_.take<float>(ffn);
    up_ = arena_.take<float>(ffn);
    hidden_ = arena_.take<float>(ffn);
    logits_ = arena_.take<float>(layout_.logitsFloats);
    decodePartials_ = arena_.take<float>(layout_.decodePartialFloats);
    qHalf_ = arena_.take<__half>(qDim);
    matvecScratch_.partials = arena_.take<float>(layout_.matvecPartialFloats);
    matvecScratch_.partialFloats = layout_.matvecPartialFloats;
    matvecScratch_.tickets = arena_.take<unsigned>(layout_.matvecTickets);
    normedHalf_ = arena_.take<__half>(dim);
    attHalf_ = arena_.take<__half>(qDim);
    hiddenHalf_ = arena_.take<__half>(ffn);
    const auto takeBlocks = [&](int64_t values) {
        if (values % kXBlockValues != 0) return XBlocks{};
        return XBlocks{arena_.take<int8_t>(values), arena_.take<float>(values / kXBlockValues)};
    };
    normedBlocks_ = takeBlocks(dim);
    attBlocks_ = takeBlocks(qDim);
    hiddenBlocks_ = takeBlocks(ffn);
    px_ = arena_.take<float>(segment * dim);
    pq_ = arena_.take<float>(chunk * qDim);
    patt_ = arena_.take<float>(chunk * qDim);
    pk_ = arena_.take<float>(chunk * kvDim);
    pv_ = arena_.take<float>(chunk * kvDim);
    pgate_ = arena_.take<float>(chunk * ffn);
    pup_ = arena_.take<float>(chunk * ffn);
    prefillPartials_ = arena_.take<float>(layout_.prefillPartialFloats);
    ph_ = arena_.take<__half>(layout_.prefillHalves);
    dequantized_ = arena_.take<__half>(layout_.dequantHalves);
    prefillTokens_ = arena_.take<int32_t>(segment);
    prefillStarts_ = arena_.take<int>(segment);
    deviceStep_ = arena_.take<int>(2);

    labelDeviceMemory(weights_.data(), weights_.bytes(), DeviceMemoryRole::Weights);
    labelDeviceMemory(kCache_.get(), kCache_.size() * sizeof(__half), DeviceMemoryRole::KvCache);
    labelDeviceMemory(vCache_.get(), vCache_.size() * sizeof(__half), DeviceMemoryRole::KvCache);
    labelDeviceMemory(arena_.data(), arena_.size(), DeviceMemoryRole::Activations);
    CUDA_CHECK(cudaMemcpyAsync(inverseFrequencies_.get(), inverseFrequencies.data(),
                               inverseFrequencies.size() * sizeof(float), cudaMemcpyHostToDevice, stream_.get()));
    CUBLAS_CHECK(cublasSetStream(cublas_.get(), stream_.get()));
    CUBLAS_CHECK(cublasSetWorkspace(cublas_.get(), cublasWorkspace_.get(), cublasWorkspace_.size()));
    // Unwritten cache positions are never read (attention stops at the query's
    // position), but zeros make a bug there show as a wrong number, not a NaN hunt.
    CUDA_CHECK(cudaMemsetAsync(kCache_.get(), 0, kCache_.size() * sizeof(__half), stream_.get()));
    CUDA_CHECK(cudaMemsetAsync(vCache_.get(), 0, vCache_.size() * sizeof(__half), stream_.get()));
    // The matvec's completion tickets start at zero (each group's last block resets its own).
    CUDA_CHECK(cudaMemsetAsync(matvecScratch_.tickets, 0, static_cast<size_t>(layout_.matvecTickets) * sizeof(unsigned),
                               stream_.get()));
    launchProbe(deviceStep_, stream_.get());  // fails here when the build has no code for this GPU
    CUDA_CHECK(cudaStreamSynchronize(stream_.get()));
}

void CudaBackend::forward(std::span<const int32_t> tokens, int startPos, std::span<float> logits) {
    if (tokens.empty()) throw BackendError("forward: no tokens given");
    if (startPos < 0 || startPos + static_cast<int64_t>(tokens.size()) > contextLength_) {
        throw BackendError("forward: positions " + std::to_string(startPos) + ".." +
                           std::to_string(startPos + static_cast<int64_t>(tokens.size()) - 1) +
                           " do not fit the context of " + std::to_string(contextLength_) + " tokens");
    }
    if (logits.size() < static_cast<size_t>(config_.vocabSize)) {
        throw BackendError("forward: the logits buffer holds " + std::to_string(logits.size()) + " floats, the vocabulary " +
                           std::to_string(config_.vocabSize));
    }
    for (const int32_t token : tokens) {
        if (token < 0 || token >= config_.vocabSize) {
            throw BackendError("forward: token id " + std::to_string(token) + " is outside the vocabulary (0.." +
                               std::to_string(config_.vocabSize - 1) + ")");
        }
    }
    CUDA_CHECK(cudaSetDevice(device_));  // the caller's thread may not be the creator's

    if (tokens.size() == 1) {
        decode(tokens[0], startPos);
    } else {
        const size_t segment = static_cast<size_t>(layout_.prefillSegmentTokens);
        shortPrompt_ = tokens.size() <= static_cast<size_t>(kBatchedMatvecMaxTokens);
        for (size_t done = 0; done < tokens.size(); done += segment) {
            const size_t count = std::min(segment, tokens.size() - done);
            prefillSegment(tokens.subspan(done, count), startPos + static_cast<int>(done), done + count == tokens.size());
        }
    }
    // The logits copy was queued behind the step; wait for it alone.
    CUDA_CHECK(cudaEventRecord(logitsReady_.get(), stream_.get()));
    CUDA_CHECK(cudaEventSynchronize(logitsReady_.get()));
    std::memcpy(logits.data(), hostLogits_.get(), static_cast<size_t>(config_.vocabSize) * sizeof(float));
}

void CudaBackend::decode(int32_t token, int position) {
    hostStep_.get()[0] = token;  // the previous step finished: forward() waited for it
    hostStep_.get()[1] = position;
    cudaStream_t s = stream_.get();
    if (!useGraph_) {
        enqueueDecodeStep();
        return;
    }
    if (!decodeGraph_.get()) {
        CUDA_CHECK(cudaStreamBeginCapture(s, cudaStreamCaptureModeThreadLocal));
        cudaGraph_t graph = nullptr;
        try {
            enqueueDecodeStep();
        } catch (...) {
            cudaStreamEndCapture(s, &graph);
            if (graph) cudaGraphDestroy(graph);
            throw;
        }
        CUDA_CHECK(cudaStreamEndCapture(s, &graph));
        const cudaError_t instantiated = cudaGraphInstantiate(decodeGraph_.out(), graph, 0);
        cudaGraphDestroy(graph);
        CUDA_CHECK(instantiated);
    }
    CUDA_CHECK(cudaGraphLaunch(decodeGraph_.get(), s));
}

// One decode step, the story of llama2.c's forward(); all of it is enqueued on
// the stream (and captured into the graph on the first call).
void CudaBackend::enqueueDecodeStep() {
    cudaStream_t s = stream_.get();
    const int* tokenOnDevice = deviceStep_;
    const int* positionOnDevice = deviceStep_ + 1;
    CUDA_CHECK(cudaMemcpyAsync(deviceStep_, hostStep_.get(), 2 * sizeof(int), cudaMemcpyHostToDevice, s));
    // Whoever writes x also writes what the RMSNorm reading it next needs: xn_ = x
    // times the norm's weight (and its FP16 copy, what the matvec after the
    // norm reads) and squares_[0] = the sum of x^2 (NextNorm). Likewise the
    // attention output and the FFN hidden state reach wo and down as FP16.
    // All three are also written as 8-bit blocks, what quantized weights read
    // (x_blocks.h); float weights read the FP16 copy.
    const auto& layers = weights_.layers();
    const MatvecScratch& scratch = matvecScratch_;
    const MatvecInput normed = matvecInput(xn_, normedHalf_, normedBlocks_);
    const float* firstNorm = layers.empty() ? weights_.outputNorm() : layers[0].attnNorm;
    launchEmbedding(weights_.tokenEmbedding(), tokenOnDevice, 1, x_, s,
                    NextNorm{firstNorm, xn_, squares_, normedHalf_, normedBlocks_});
    const MatvecNorm norm{true, squares_, config_.rmsEpsilon};
    for (int l = 0; l < config_.layerCount; ++l) {
        const DeviceLayer& layer = layers[static_cast<size_t>(l)];
        const bool last = l + 1 == config_.layerCount;
        const float* nextAttnNorm = last ? weights_.outputNorm() : layers[static_cast<size_t>(l) + 1].attnNorm;
        AttentionParams attention = attentionParams(l, q_, 1, positionOnDevice, true, att_);
        if (canFuseQkvRope(layer.wq, layer.wk, layer.wv)) {
            RopeKvParams rope = ropeParams(l, q_, k_, v_, 1, positionOnDevice);
            rope.qHalf = qHalf_;
            attention.qHalf = qHalf_;
            launchQkvRopeKvWrite(layer.wq, layer.wk, layer.wv, normed, rope, s, scratch, norm);
        } else {
            launchMatvec(layer.wq, normed, q_, false, s, scratch, norm);
            launchMatvec(layer.wk, normed, k_, false, s, scratch, norm);
            launchMatvec(layer.wv, normed, v_, false, s, scratch, norm);
            launchRopeKvWrite(ropeParams(l, q_, k_, v_, 1, positionOnDevice), s);
        }
        attention.outHalf = attHalf_;
        attention.outBlocks = config_.headDim % kXBlockValues == 0 ? attBlocks_ : XBlocks{};
        launchAttention(attention, s);
        launchMatvec(layer.wo, matvecInput(att_, attHalf_, attention.outBlocks), x_, true, s, scratch, {},
                     NextNorm{layer.ffnNorm, xn_, squares_, normedHalf_, normedBlocks_});
        MatvecInput hidden = matvecInput(hidden_, hiddenHalf_, hiddenBlocks_);
        if (layer.wGate.type == layer.wUp.type) {
            launchGateUpSwiglu(layer.wGate, layer.wUp, normed, hidden_, hiddenHalf_, s, scratch, norm,
                               hiddenBlocks_);
        } else {
            launchMatvec(layer.wGate, normed, gate_, false, s, scratch, norm);
            launchMatvec(layer.wUp, normed, up_, false, s, scratch, norm);
            launchSwiglu(gate_, up_, config_.ffnDim, hidden_, nullptr, s);
            hidden = MatvecInput{hidden_};  // the SwiGLU kernel writes floats only
        }
        launchMatvec(layer.wDown, hidden, x_, true, s, scratch, {},
                     NextNorm{nextAttnNorm, xn_, squares_, normedHalf_, normedBlocks_});
    }
    launchMatvec(weights_.output(), normed, logits_, false, s, scratch, norm);
    CUDA_CHECK(cudaMemcpyAsync(hostLogits_.get(), logits_, static_cast<size_t>(config_.vocabSize) * sizeof(float),
                               cudaMemcpyDeviceToHost, s));
}

// Layer by layer over the segment, chunk by chunk inside a layer: the attention
// of chunk c in layer l needs layer l's keys and values of earlier positions
// only, which earlier chunks (or calls) of this layer have written.
void CudaBackend::prefillSegment(std::span<const int32_t> tokens, int startPos, bool last) {
    cudaStream_t s = stream_.get();
    const int n = static_cast<int>(tokens.size()), chunk = layout_.prefillChunkTokens;
    const int chunks = (n + chunk - 1) / chunk;
    const int64_t dim = config_.dim;

    // The previous segment's inputs may still be on their way from the pinned buffer.
    CUDA_CHECK(cudaEventSynchronize(inputsCopied_.get()));
    std::copy(tokens.begin(), tokens.end(), hostPrefill_.get());
    int* hostStarts = hostPrefill_.get() + layout_.prefillSegmentTokens;
    for (int c = 0; c < chunks; ++c) hostStarts[c] = startPos + c * chunk;
    CUDA_CHECK(cudaMemcpyAsync(prefillTokens_, hostPrefill_.get(), static_cast<size_t>(n) * sizeof(int32_t),
                               cudaMemcpyHostToDevice, s));
    CUDA_CHECK(cudaMemcpyAsync(prefillStarts_, hostStarts, static_cast<size_t>(chunks) * sizeof(int),
                               cudaMemcpyHostToDevice, s));
    CUDA_CHECK(cudaEventRecord(inputsCopied_.get(), s));

    // Short prompts leave the weights to gemm() (kBatchedMatvecMaxTokens).
    const bool ahead = layout_.dequantizeOncePerSegment && n > kBatchedMatvecMaxTokens;
    if (ahead) {
        // Both slots' last readers were queued on this stream before now.
        CUDA_CHECK(cudaEventRecord(segmentStarted_.get(), s));
        CUDA_CHECK(cudaStreamWaitEvent(dequantStream_.get(), segmentStarted_.get(), 0));
        dequantizedLayer(0, 0, true);
    }
    launchEmbedding(weights_.tokenEmbedding(), prefillTokens_, n, px_, s);
    for (int l = 0; l < config_.layerCount; ++l) {
        DequantizedLayer dequantized;
        if (ahead) {
            const int slot = l % 2, next = (l + 1) % 2;
            CUDA_CHECK(cudaStreamWaitEvent(s, layerReady_[slot].get(), 0));
            dequantized = dequantizedLayer(l, slot, false);
            if (l + 1 < config_.layerCount) {
                // The next slot was last read by layer l - 1's GEMMs (queued before this).
                if (l > 0) CUDA_CHECK(cudaStreamWaitEvent(dequantStream_.get(), layerDone_[next].get(), 0));
                dequantizedLayer(l + 1, next, true);
            }
        }
        for (int c = 0; c < chunks; ++c) prefillChunk(l, dequantized, c, std::min(chunk, n - c * chunk));
        if (ahead) CUDA_CHECK(cudaEventRecord(layerDone_[l % 2].get(), s));
    }
    if (!last) return;
    launchRmsNorm(px_ + (n - 1) * dim, weights_.outputNorm(), config_.dim, 1, config_.rmsEpsilon, xn_, nullptr, s);
    launchMatvec(weights_.output(), MatvecInput{xn_}, logits_, false, s, matvecScratch_);
    CUDA_CHECK(cudaMemcpyAsync(hostLogits_.get(), logits_, static_cast<size_t>(config_.vocabSize) * sizeof(float),
                               cudaMemcpyDeviceToHost, s));
}

// One layer for the `tokens` tokens of chunk `chunk` of the segment.
void CudaBackend::prefillChunk(int l, const DequantizedLayer& dq, int chunk, int tokens) {
    cudaStream_t s = stream_.get();
    const int n = tokens;
    const int64_t qDim = static_cast<int64_t>(config_.headCount) * config_.headDim;
    float* x = px_ + static_cast<int64_t>(chunk) * layout_.prefillChunkTokens * config_.dim;
    const int* start = prefillStarts_ + chunk;
    const DeviceLayer& layer = weights_.layers()[static_cast<size_t>(l)];
    launchRmsNorm(x, layer.attnNorm, config_.dim, n, config_.rmsEpsilon, nullptr, ph_, s);
    gemm(layer.wq, ph_, n, pq_, false, dq.wq);
    gemm(layer.wk, ph_, n, pk_, false, dq.wk);
    gemm(layer.wv, ph_, n, pv_, false, dq.wv);
    launchRopeKvWrite(ropeParams(l, pq_, pk_, pv_, n, start), s);
    launchPrefillAttention(attentionParams(l, pq_, n, start, false, patt_), s);
    launchFloatToHalf(patt_, ph_, n * qDim, s);
    gemm(layer.wo, ph_, n, x, true, dq.wo);
    launchRmsNorm(x, layer.ffnNorm, config_.dim, n, config_.rmsEpsilon, nullptr, ph_, s);
    gemm(layer.wGate, ph_, n, pgate_, false, dq.wGate);
    gemm(layer.wUp, ph_, n, pup_, false, dq.wUp);
    launchSwiglu(pgate_, pup_, static_cast<int64_t>(n) * config_.ffnDim, nullptr, ph_, s);
    gemm(layer.wDown, ph_, n, x, true, dq.wDown);
}

DequantizedLayer CudaBackend::dequantizedLayer(int l, int slot, bool enqueue) {
    const DeviceLayer& layer = weights_.layers()[static_cast<size_t>(l)];
    __half* at = dequantized_ + static_cast<int64_t>(slot) * layout_.layerDequantHalves;
    // The order and sizes of DeviceWeights::layerDequantHalves.
    auto place = [&](const DeviceMatrix& m) -> const __half* {
        if (m.type == TensorType::F16) return nullptr;
        __half* here = at;
        at += dequantizedSlotHalves(m.rows, m.cols);
        if (enqueue) launchDequantizeToHalf(m, here, dequantStream_.get());
        return here;
    };
    DequantizedLayer d;
    d.wq = place(layer.wq);
    d.wk = place(layer.wk);
    d.wv = place(layer.wv);
    d.wo = place(layer.wo);
    d.wGate = place(layer.wGate);
    d.wUp = place(layer.wUp);
    d.wDown = place(layer.wDown);
    if (enqueue) CUDA_CHECK(cudaEventRecord(layerReady_[slot].get(), dequantStream_.get()));
    return d;
}

void CudaBackend::gemm(const DeviceMatrix& w, const __half* x, int n, float* y, bool accumulate,
                       const __half* dequantized) {
    if (shortPrompt_ && n <= kBatchedMatvecMaxTokens) {
        // A short prompt: each weight read once for all tokens, nothing
        // dequantized. Its split-K partials go where a dequantized matrix
        // would (batchedScratch(): nothing is dequantized ahead for a segment
        // this short, so no other stream writes there).
        launchBatchedMatvec(w, x, n, y, accumulate, stream_.get(), batchedScratch());
        return;
    }
    // Row-major W [rows x cols] is column-major W^T; cuBLAS computes
    // Y^T [rows x n] = op_T(W^T) * X^T with X^T column-major [cols x n].
    const __half* a = dequantized;
    int lda = static_cast<int>(w.cols);
    if (w.type == TensorType::F16) {
        a = reinterpret_cast<const __half*>(w.data);  // as stored, padded stride
        lda = static_cast<int>(w.rowStride / 2);
    } else if (!a) {
        launchDequantizeToHalf(w, dequantized_, stream_.get());
        a = dequantized_;
    }
    const float alpha = 1.0f, beta = accumulate ? 1.0f : 0.0f;
    CUBLAS_CHECK(cublasGemmEx(cublas_.get(), CUBLAS_OP_T, CUBLAS_OP_N, static_cast<int>(w.rows), n,
                              static_cast<int>(w.cols), &alpha, a, CUDA_R_16F, lda, x, CUDA_R_16F,
                              static_cast<int>(w.cols), &beta, y, CUDA_R_32F, static_cast<int>(w.rows),
                              CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
}

RopeKvParams CudaBackend::ropeParams(int layer, float* q, const float* k, const float* v, int tokens,
                                     const int* startPos) {
    RopeKvParams p{};
    p.q = q;
    p.k = k;
    p.v = v;
    p.tokens = tokens;
    p.startPos = startPos;
    p.inverseFrequencies = inverseFrequencies_.get();
    p.heads = config_.headCount;
    p.kvHeads = config_.kvHeadCount;
    p.headDim = config_.headDim;
    p.ropeDim = config_.ropeDim;
    p.style = config_.ropeStyle;
    const DeviceLayer& weights = weights_.layers()[static_cast<size_t>(layer)];
    p.qBias = weights.qBias;
    p.kBias = weights.kBias;
    p.vBias = weights.vBias;
    p.kCacheLayer = kLayer(layer);
    p.vCacheLayer = vLayer(layer);
    return p;
}

AttentionParams CudaBackend::attentionParams(int layer, const float* q, int queries, const int* startPos,
                                             bool decode, float* out) {
    AttentionParams p{};
    p.q = q;
    p.queries = queries;
    p.startPos = startPos;
    p.kCacheLayer = kLayer(layer);
    p.vCacheLayer = vLayer(layer);
    p.heads = config_.headCount;
    p.kvHeads = config_.kvHeadCount;
    p.headDim = config_.headDim;
    p.slidingWindow = config_.slidingWindow;
    p.splitLength = decode ? layout_.decodeSplitLength : layout_.prefillSplitLength;
    p.splits = attentionSplitCount(contextLength_, p.splitLength);
    p.scale = 1.0f / std::sqrt(static_cast<float>(config_.headDim));
    p.partials = decode ? decodePartials_ : prefillPartials_;
    p.out = out;
    return p;
}

// Tokens per prefill chunk: kPrefillChunkTokens, or fewer where
// PROMPTSTUDIO_CUDA_PREFILL_CHUNK_TOKENS says (a test hook: short prompts that
// still cross chunks and segments on the emulated device).
int prefillChunkTokens() {
    const char* text = std::getenv("PROMPTSTUDIO_CUDA_PREFILL_CHUNK_TOKENS");
    const int tokens = text ? std::atoi(text) : 0;
    return tokens >= 1 && tokens <= kPrefillChunkTokens ? tokens : kPrefillChunkTokens;
}

// Shapes the kernels are written for; anything else stays on the CPU.
std::string unsupportedShape(const ModelConfig& c) {
    if (c.headCount <= 0 || c.kvHeadCount <= 0 || c.headCount % c.kvHeadCount != 0)
        return "its attention heads (" + std::to_string(c.headCount) + " query, " + std::to_string(c.kvHeadCount) +
               " key/value) do not group evenly";
    if (c.headDim <= 0 || c.headDim % 2 != 0 || c.headDim > 256)
        return "its head size " + std::to_string(c.headDim) + " is not an even number up to 256";
    if (c.ropeDim > c.headDim || c.ropeDim % 2 != 0)
        return "its rotary dimension " + std::to_string(c.ropeDim) + " does not fit its head size";
    return {};
}

}  // namespace

std::string findCudaDevices(int& count) {
    count = 0;
    const cudaError_t found = cudaGetDeviceCount(&count);
    if (found != cudaSuccess) {
        (void)cudaGetLastError();
        count = 0;
        int driverVersion = 0;  // 0: no driver at all, which the runtime calls "insufficient"
        const bool noDriver = cudaDriverGetVersion(&driverVersion) == cudaSuccess && driverVersion == 0;
        return std::string("no NVIDIA GPU found (") +
               (noDriver ? "no NVIDIA driver is installed" : cudaGetErrorString(found)) + ")";
    }
    if (count == 0) return "no NVIDIA GPU found (the driver sees no CUDA device)";
    return {};
}

std::unique_ptr<Backend> createCudaBackendOnGpu(std::shared_ptr<const Model> model, const BackendOptions& options,
                                                std::string& whyNot) {
    whyNot.clear();
    std::string gpuName = "the GPU";
    try {
        int count = 0;
        whyNot = findCudaDevices(count);
        if (!whyNot.empty()) return nullptr;
        if (options.cudaDevice < 0 || options.cudaDevice >= count) {
            whyNot = "there is no CUDA device " + std::to_string(options.cudaDevice) + " (this machine has " +
                     std::to_string(count) + ")";
            return nullptr;
        }
        CUDA_CHECK(cudaSetDevice(options.cudaDevice));
        cudaDeviceProp properties{};
        CUDA_CHECK(cudaGetDeviceProperties(&properties, options.cudaDevice));
        gpuName = properties.name;

        const ModelConfig& config = model->config();
        if (const std::string shape = unsupportedShape(config); !shape.empty()) {
            whyNot = "the CUDA backend cannot run this model: " + shape;
            return nullptr;
        }
        // The CPU's table, so both backends turn by the same angles; throws for YaRN.
        std::vector<float> inverseFrequencies;
        try {
            const RopeFrequencies rope = RopeFrequencies::fromModel(*model);
            for (int i = 0; i < rope.pairs(); ++i) inverseFrequencies.push_back(static_cast<float>(rope.angle(1, i)));
        } catch (const BackendError& e) {
            whyNot = std::string("the CUDA backend cannot run this model: ") + e.what();
            return nullptr;
        }

        const int contextLength = options.contextLength > 0 ? options.contextLength
                                  : config.contextLength > 0 ? std::min(config.contextLength, 4096)
                                                             : 4096;
        size_t freeBytes = 0, totalBytes = 0;
        CUDA_CHECK(cudaMemGetInfo(&freeBytes, &totalBytes));
        PrefillWeights prefill;
        prefill.layerDequantHalves = DeviceWeights::layerDequantHalves(*model);
        prefill.chunkTokens = prefillChunkTokens();
        const MemoryPlan plan = planMemory(config, contextLength, DeviceWeights::bytesNeeded(*model), prefill, freeBytes);
        if (plan.total() > freeBytes) {
            whyNot = describeShortfall(plan, contextLength, freeBytes, gpuName);
            return nullptr;
        }
        return std::make_unique<CudaBackend>(std::move(model), options.cudaDevice, contextLength, gpuName,
                                             inverseFrequencies, plan.layout);
    } catch (const CudaError& e) {
        whyNot = e.isOutOfMemory() ? gpuName + " ran out of memory while loading the model (" + e.what() + ")"
                                   : "the CUDA backend could not start on " + gpuName + ": " + e.what();
    } catch (const std::exception& e) {
        whyNot = "the CUDA backend could not start on " + gpuName + ": " + e.what();
    } catch (...) {
        whyNot = "the CUDA backend could not start on " + gpuName + " (unknown error)";
    }
    return nullptr;
}

}  // namespace ps
