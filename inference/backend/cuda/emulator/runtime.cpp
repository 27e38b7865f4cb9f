// The CUDA runtime calls on the emulated device. Work queued on a stream runs
// when the host waits for it (a stream, event or device synchronization, a
// blocking copy, a free), not when it is queued: a host that reads a result
// without waiting, or rewrites a pinned buffer a queued copy still needs, sees
// the consequence here as it would on a GPU, only every time. Copies from
// pageable host memory take their bytes at the call (the CUDA runtime stages
// them), copies to it complete before the call returns. All streams share one
// queue in issue order, which is one of the orders a GPU may choose.
// Stream capture records the work into a graph instead; a graph launch queues
// the recorded work again, arguments as captured.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "backend/cuda/emulator/device_memory.h"
#include "backend/cuda/emulator/emulator.h"
#include "backend/cuda/emulator/emulator_control.h"

struct CUstream_st {
    bool capturing = false;
    bool captureInvalidated = false;
    std::vector<std::function<void()>> captured;
};
struct CUevent_st {
    bool recorded = false;
    bool completed = false;
    double milliseconds = 0;
};
struct CUgraph_st {
    std::vector<std::function<void()>> work;
};
struct CUgraphExec_st {
    std::vector<std::function<void()>> work;
};

namespace ps::emu {

namespace {

struct Device {
    std::recursive_mutex mutex;
    DeviceMemory memory;
    std::map<uintptr_t, size_t> pinned;  // cudaMallocHost blocks
    std::deque<std::function<void()>> queue;
    CUstream_st defaultStream;
    cudaError_t lastError = cudaSuccess;
    cudaError_t stickyError = cudaSuccess;
    std::vector<std::string> diagnostics;
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
    bool draining = false;
    int capturingStreams = 0;
};

Device& device() {
    static Device* d = new Device();  // lives until exit: backends may be destroyed late
    return *d;
}

using Lock = std::lock_guard<std::recursive_mutex>;

CUstream_st* streamOf(cudaStream_t stream) { return stream ? stream : &device().defaultStream; }

// Runs everything queued, in order.
void drain() {
    Device& d = device();
    if (d.draining) return;
    d.draining = true;
    while (!d.queue.empty()) {
        std::function<void()> work = std::move(d.queue.front());
        d.queue.pop_front();
        if (d.stickyError == cudaSuccess) work();  // a failed device runs nothing more
    }
    d.draining = false;
}

void enqueue(cudaStream_t stream, std::function<void()> work) {
    CUstream_st* s = streamOf(stream);
    if (s->capturing) {
        s->captured.push_back(std::move(work));
    } else {
        device().queue.push_back(std::move(work));
    }
}

bool isPinned(const void* pointer, size_t bytes) {
    const Device& d = device();
    const auto address = reinterpret_cast<uintptr_t>(pointer);
    auto it = d.pinned.upper_bound(address);
    if (it == d.pinned.begin()) return false;
    --it;
    return address >= it->first && address + bytes <= it->first + it->second;
}

cudaError_t fail(cudaError_t error) {
    device().lastError = error;
    return error;
}

// What a call returns first: a failed device fails every call.
#define PS_EMU_ENTER()                     \
    Device& d = device();                  \
    Lock lock(d.mutex);                    \
    if (d.stickyError != cudaSuccess) return d.stickyError

// A synchronizing call inside a stream capture ends the capture with an error, as on a GPU.
bool anyCapturing() { return device().capturingStreams > 0; }

}  // namespace

void reportKernelError(cudaError_t error, const std::string& message) {
    Device& d = device();
    std::fprintf(stderr, "[emulated CUDA device] %s\n", message.c_str());
    d.diagnostics.push_back(message);
    if (d.stickyError == cudaSuccess) d.stickyError = error;
}

void enqueueLaunch(KernelLaunch launch, cudaStream_t stream) {
    Device& d = device();
    Lock lock(d.mutex);
    const dim3 g = launch.grid, b = launch.block;
    const uint64_t threads = uint64_t{b.x} * b.y * b.z;
    if (g.x == 0 || g.y == 0 || g.z == 0 || threads == 0 || threads > 1024 || b.z > 64 || g.y > 65535 ||
        g.z > 65535 || g.x > 0x7fffffffu) {
        d.lastError = cudaErrorInvalidConfiguration;
        d.diagnostics.push_back(kernelName(launch.signature) + ": invalid launch configuration");
        return;
    }
    if (launch.sharedBytes > kDefaultSharedBytesLimit) {
        d.lastError = cudaErrorInvalidValue;
        d.diagnostics.push_back(kernelName(launch.signature) + ": " + std::to_string(launch.sharedBytes) +
                                " bytes of dynamic shared memory, above the 48 KiB a launch gets without opting in");
        return;
    }
    auto shared = std::make_shared<KernelLaunch>(std::move(launch));
    enqueue(stream, [shared] { executeLaunch(*shared); });
}

bool deviceMemoryHolds(const void* pointer, size_t bytes) {
    Device& d = device();
    Lock lock(d.mutex);
    return bytes == 0 || d.memory.contains(pointer, bytes);
}

void enqueueWork(cudaStream_t stream, std::function<void()> work) {
    Device& d = device();
    Lock lock(d.mutex);
    enqueue(stream, std::move(work));
}

std::vector<std::string> takeDiagnostics() {
    Device& d = device();
    Lock lock(d.mutex);
    return std::exchange(d.diagnostics, {});
}

void clearDeviceError() {
    Device& d = device();
    Lock lock(d.mutex);
    d.queue.clear();
    d.stickyError = cudaSuccess;
    d.lastError = cudaSuccess;
}

uint64_t bytesAllocated() {
    Device& d = device();
    Lock lock(d.mutex);
    return d.memory.used();
}

}  // namespace ps::emu

using namespace ps::emu;

cudaError_t cudaGetDeviceCount(int* count) {
    *count = 1;
    return cudaSuccess;
}

cudaError_t cudaDriverGetVersion(int* version) {
    *version = 13000;
    return cudaSuccess;
}

cudaError_t cudaRuntimeGetVersion(int* version) {
    *version = 13000;
    return cudaSuccess;
}

cudaError_t cudaSetDevice(int index) {
    PS_EMU_ENTER();
    return index == 0 ? cudaSuccess : fail(cudaErrorInvalidDevice);
}

cudaError_t cudaGetDevice(int* index) {
    *index = 0;
    return cudaSuccess;
}

cudaError_t cudaGetDeviceProperties(cudaDeviceProp* p, int index) {
    if (index != 0) return fail(cudaErrorInvalidDevice);
    std::memset(p, 0, sizeof *p);
    std::snprintf(p->name, sizeof p->name, "Emulated CUDA device (CPU)");
    p->totalGlobalMem = device().memory.capacity();
    p->sharedMemPerBlock = kDefaultSharedBytesLimit;
    p->warpSize = 32;
    p->maxThreadsPerBlock = 1024;
    p->maxThreadsDim[0] = p->maxThreadsDim[1] = 1024;
    p->maxThreadsDim[2] = 64;
    p->maxGridSize[0] = 0x7fffffff;
    p->maxGridSize[1] = p->maxGridSize[2] = 65535;
    p->major = 9;  // what the kernels were written for (an H100's sm_90)
    p->minor = 0;
    p->multiProcessorCount = 132;
    p->memoryBusWidth = 5120;
    p->l2CacheSize = 50 << 20;
    return cudaSuccess;
}

cudaError_t cudaDeviceSynchronize() {
    PS_EMU_ENTER();
    drain();
    return d.stickyError;
}

cudaError_t cudaDeviceReset() {
    clearDeviceError();
    return cudaSuccess;
}

cudaError_t cudaGetLastError() {
    Device& d = device();
    Lock lock(d.mutex);
    if (d.stickyError != cudaSuccess) return d.stickyError;
    return std::exchange(d.lastError, cudaSuccess);
}

cudaError_t cudaPeekAtLastError() {
    Device& d = device();
    Lock lock(d.mutex);
    return d.stickyError != cudaSuccess ? d.stickyError : d.lastError;
}

const char* cudaGetErrorName(cudaError_t error) {
    switch (error) {
        case cudaSuccess: return "cudaSuccess";
        case cudaErrorInvalidValue: return "cudaErrorInvalidValue";
        case cudaErrorMemoryAllocation: return "cudaErrorMemoryAllocation";
        case cudaErrorInitializationError: return "cudaErrorInitializationError";
        case cudaErrorInvalidConfiguration: return "cudaErrorInvalidConfiguration";
        case cudaErrorInvalidMemcpyDirection: return "cudaErrorInvalidMemcpyDirection";
        case cudaErrorInsufficientDriver: return "cudaErrorInsufficientDriver";
        case cudaErrorNoDevice: return "cudaErrorNoDevice";
        case cudaErrorInvalidDevice: return "cudaErrorInvalidDevice";
        case cudaErrorInvalidResourceHandle: return "cudaErrorInvalidResourceHandle";
        case cudaErrorNotReady: return "cudaErrorNotReady";
        case cudaErrorIllegalAddress: return "cudaErrorIllegalAddress";
        case cudaErrorLaunchFailure: return "cudaErrorLaunchFailure";
        case cudaErrorStreamCaptureUnsupported: return "cudaErrorStreamCaptureUnsupported";
        case cudaErrorStreamCaptureInvalidated: return "cudaErrorStreamCaptureInvalidated";
        case cudaErrorStreamCaptureWrongThread: return "cudaErrorStreamCaptureWrongThread";
        case cudaErrorUnknown: return "cudaErrorUnknown";
    }
    return "cudaErrorUnknown";
}

const char* cudaGetErrorString(cudaError_t error) {
    switch (error) {
        case cudaSuccess: return "no error";
        case cudaErrorInvalidValue: return "invalid argument";
        case cudaErrorMemoryAllocation: return "out of memory";
        case cudaErrorInitializationError: return "initialization error";
        case cudaErrorInvalidConfiguration: return "invalid configuration argument";
        case cudaErrorInvalidMemcpyDirection: return "invalid copy direction for memcpy";
        case cudaErrorInsufficientDriver: return "CUDA driver version is insufficient for CUDA runtime version";
        case cudaErrorNoDevice: return "no CUDA-capable device is detected";
        case cudaErrorInvalidDevice: return "invalid device ordinal";
        case cudaErrorInvalidResourceHandle: return "invalid resource handle";
        case cudaErrorNotReady: return "device not ready";
        case cudaErrorIllegalAddress: return "an illegal memory access was encountered";
        case cudaErrorLaunchFailure: return "unspecified launch failure (a check of the emulated device fired)";
        case cudaErrorStreamCaptureUnsupported: return "operation not permitted when stream is capturing";
        case cudaErrorStreamCaptureInvalidated: return "operation failed due to a previous error during capture";
        case cudaErrorStreamCaptureWrongThread: return "operation not permitted on an event last recorded in a capturing stream";
        case cudaErrorUnknown: return "unknown error";
    }
    return "unknown error";
}

cudaError_t cudaMemGetInfo(size_t* freeBytes, size_t* totalBytes) {
    PS_EMU_ENTER();
    const uint64_t capacity = d.memory.capacity();
    *totalBytes = capacity;
    *freeBytes = d.memory.used() < capacity ? capacity - d.memory.used() : 0;
    return cudaSuccess;
}

cudaError_t cudaMalloc(void** pointer, size_t bytes) {
    PS_EMU_ENTER();
    *pointer = d.memory.allocate(bytes);
    return *pointer ? cudaSuccess : fail(cudaErrorMemoryAllocation);
}

cudaError_t cudaFree(void* pointer) {
    PS_EMU_ENTER();
    if (!pointer) return cudaSuccess;
    drain();  // cudaFree waits for the device
    if (!d.memory.release(pointer)) return fail(cudaErrorInvalidValue);
    forgetMemoryLabels(pointer, 1);
    return cudaSuccess;
}

cudaError_t cudaMallocHost(void** pointer, size_t bytes) {
    PS_EMU_ENTER();
    *pointer = std::aligned_alloc(4096, (bytes + 4095) / 4096 * 4096);
    if (!*pointer) return fail(cudaErrorMemoryAllocation);
    d.pinned.emplace(reinterpret_cast<uintptr_t>(*pointer), bytes);
    return cudaSuccess;
}

cudaError_t cudaFreeHost(void* pointer) {
    PS_EMU_ENTER();
    if (!pointer) return cudaSuccess;
    drain();
    if (d.pinned.erase(reinterpret_cast<uintptr_t>(pointer)) == 0) return fail(cudaErrorInvalidValue);
    std::free(pointer);
    return cudaSuccess;
}

cudaError_t cudaMemcpyAsync(void* to, const void* from, size_t bytes, cudaMemcpyKind kind, cudaStream_t stream) {
    PS_EMU_ENTER();
    if (bytes == 0) return cudaSuccess;
    const bool toDevice = d.memory.isDevice(to), fromDevice = d.memory.isDevice(from);
    if (kind == cudaMemcpyDefault) {
        kind = toDevice ? (fromDevice ? cudaMemcpyDeviceToDevice : cudaMemcpyHostToDevice)
                        : (fromDevice ? cudaMemcpyDeviceToHost : cudaMemcpyHostToHost);
    }
    const bool wantTo = kind == cudaMemcpyHostToDevice || kind == cudaMemcpyDeviceToDevice;
    const bool wantFrom = kind == cudaMemcpyDeviceToHost || kind == cudaMemcpyDeviceToDevice;
    if ((wantTo && !d.memory.contains(to, bytes)) || (wantFrom && !d.memory.contains(from, bytes)) ||
        (!wantTo && toDevice) || (!wantFrom && fromDevice)) {
        d.diagnostics.push_back("cudaMemcpyAsync: " + std::to_string(bytes) +
                                " bytes do not fit the memory the direction names");
        return fail(cudaErrorInvalidValue);
    }
    const bool pageableSource = !wantFrom && !isPinned(from, bytes);
    const bool pageableTarget = !wantTo && !isPinned(to, bytes);
    if (pageableSource && !streamOf(stream)->capturing) {
        // The runtime stages pageable bytes before the call returns.
        auto staged = std::make_shared<std::vector<unsigned char>>(static_cast<const unsigned char*>(from),
                                                                   static_cast<const unsigned char*>(from) + bytes);
        enqueue(stream, [to, staged] { std::memcpy(to, staged->data(), staged->size()); });
    } else {
        enqueue(stream, [to, from, bytes] { std::memcpy(to, from, bytes); });
    }
    if (pageableTarget && !streamOf(stream)->capturing) drain();  // returns once the copy is done
    return cudaSuccess;
}

cudaError_t cudaMemcpy(void* to, const void* from, size_t bytes, cudaMemcpyKind kind) {
    {
        PS_EMU_ENTER();
        if (anyCapturing()) return fail(cudaErrorStreamCaptureUnsupported);
    }
    const cudaError_t queued = cudaMemcpyAsync(to, from, bytes, kind, nullptr);
    if (queued != cudaSuccess) return queued;
    return cudaDeviceSynchronize();
}

cudaError_t cudaMemsetAsync(void* to, int value, size_t bytes, cudaStream_t stream) {
    PS_EMU_ENTER();
    if (bytes == 0) return cudaSuccess;
    if (!d.memory.contains(to, bytes)) return fail(cudaErrorInvalidValue);
    enqueue(stream, [to, value, bytes] { std::memset(to, value, bytes); });
    return cudaSuccess;
}

cudaError_t cudaMemset(void* to, int value, size_t bytes) {
    const cudaError_t queued = cudaMemsetAsync(to, value, bytes, nullptr);
    if (queued != cudaSuccess) return queued;
    return cudaDeviceSynchronize();
}

cudaError_t cudaStreamCreate(cudaStream_t* stream) { return cudaStreamCreateWithFlags(stream, cudaStreamDefault); }

cudaError_t cudaStreamCreateWithFlags(cudaStream_t* stream, unsigned) {
    PS_EMU_ENTER();
    *stream = new CUstream_st();
    return cudaSuccess;
}

cudaError_t cudaStreamDestroy(cudaStream_t stream) {
    PS_EMU_ENTER();
    if (!stream) return fail(cudaErrorInvalidResourceHandle);
    drain();
    delete stream;
    return cudaSuccess;
}

cudaError_t cudaStreamSynchronize(cudaStream_t stream) {
    PS_EMU_ENTER();
    CUstream_st* s = streamOf(stream);
    if (s->capturing) {
        s->captureInvalidated = true;
        return fail(cudaErrorStreamCaptureUnsupported);
    }
    drain();
    return d.stickyError;
}

cudaError_t cudaStreamWaitEvent(cudaStream_t stream, cudaEvent_t event, unsigned) {
    PS_EMU_ENTER();
    (void)stream;
    if (!event) return fail(cudaErrorInvalidResourceHandle);
    return cudaSuccess;  // one queue in issue order: the event's work is already ahead
}

cudaError_t cudaEventCreate(cudaEvent_t* event) { return cudaEventCreateWithFlags(event, cudaEventDefault); }

cudaError_t cudaEventCreateWithFlags(cudaEvent_t* event, unsigned) {
    PS_EMU_ENTER();
    *event = new CUevent_st();
    return cudaSuccess;
}

cudaError_t cudaEventDestroy(cudaEvent_t event) {
    PS_EMU_ENTER();
    if (!event) return fail(cudaErrorInvalidResourceHandle);
    drain();
    delete event;
    return cudaSuccess;
}

cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream) {
    PS_EMU_ENTER();
    if (!event) return fail(cudaErrorInvalidResourceHandle);
    event->recorded = true;
    event->completed = false;
    enqueue(stream, [event] {
        event->completed = true;
        event->milliseconds =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - device().start).count();
    });
    return cudaSuccess;
}

cudaError_t cudaEventSynchronize(cudaEvent_t event) {
    PS_EMU_ENTER();
    if (!event) return fail(cudaErrorInvalidResourceHandle);
    if (anyCapturing()) return fail(cudaErrorStreamCaptureUnsupported);
    drain();
    return d.stickyError;
}

cudaError_t cudaEventQuery(cudaEvent_t event) {
    PS_EMU_ENTER();
    if (!event) return fail(cudaErrorInvalidResourceHandle);
    return !event->recorded || event->completed ? cudaSuccess : cudaErrorNotReady;
}

cudaError_t cudaEventElapsedTime(float* milliseconds, cudaEvent_t start, cudaEvent_t end) {
    PS_EMU_ENTER();
    if (!start || !end || !start->completed || !end->completed) return fail(cudaErrorInvalidResourceHandle);
    *milliseconds = static_cast<float>(end->milliseconds - start->milliseconds);
    return cudaSuccess;
}

cudaError_t cudaStreamBeginCapture(cudaStream_t stream, cudaStreamCaptureMode) {
    PS_EMU_ENTER();
    CUstream_st* s = streamOf(stream);
    if (s->capturing) return fail(cudaErrorStreamCaptureUnsupported);
    s->capturing = true;
    ++d.capturingStreams;
    s->captureInvalidated = false;
    s->captured.clear();
    return cudaSuccess;
}

cudaError_t cudaStreamEndCapture(cudaStream_t stream, cudaGraph_t* graph) {
    Device& d = device();
    Lock lock(d.mutex);
    CUstream_st* s = streamOf(stream);
    *graph = nullptr;
    if (!s->capturing) return fail(cudaErrorInvalidValue);
    s->capturing = false;
    --d.capturingStreams;
    if (s->captureInvalidated || d.stickyError != cudaSuccess) {
        s->captured.clear();
        return d.stickyError != cudaSuccess ? d.stickyError : fail(cudaErrorStreamCaptureInvalidated);
    }
    *graph = new CUgraph_st{std::move(s->captured)};
    s->captured.clear();
    return cudaSuccess;
}

cudaError_t cudaGraphInstantiate(cudaGraphExec_t* exec, cudaGraph_t graph, unsigned long long) {
    PS_EMU_ENTER();
    if (!graph) return fail(cudaErrorInvalidValue);
    *exec = new CUgraphExec_st{graph->work};
    return cudaSuccess;
}

cudaError_t cudaGraphDestroy(cudaGraph_t graph) {
    PS_EMU_ENTER();
    delete graph;
    return cudaSuccess;
}

cudaError_t cudaGraphExecDestroy(cudaGraphExec_t exec) {
    PS_EMU_ENTER();
    drain();
    delete exec;
    return cudaSuccess;
}

cudaError_t cudaGraphLaunch(cudaGraphExec_t exec, cudaStream_t stream) {
    PS_EMU_ENTER();
    if (!exec) return fail(cudaErrorInvalidValue);
    for (const auto& work : exec->work) enqueue(stream, work);
    return cudaSuccess;
}
