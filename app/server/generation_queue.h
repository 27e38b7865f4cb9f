#pragma once
// The server's generations, run one after another in the order they came on one
// worker thread (the model has one KV cache; first come, first served is the fair
// order). A request's job carries its text from the worker to the connection that
// asked for it, so a slow reader never holds up the worker: the worker appends
// and moves on, the connection's thread writes at whatever pace its reader takes.
// The queue is bounded; a full queue tells the caller to come back later.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "runner/generation_service.h"

namespace ps::server {

class GenerationJob {
public:
    GenerationJob(GenerationInput input, GenerationParameters parameters);

    // Stops the generation within one token (or drops it before it starts).
    void cancel() { cancel_.store(true); }
    bool isCancelled() const { return cancel_.load(); }

    // The socket of the client that asked: the worker checks it after every
    // token, so a client that hangs up stops its generation within one token.
    void setClientSocket(int socket) { clientSocket_ = socket; }

    struct Update {
        std::vector<std::string> pieces;  // new text since the last update, as generated
        bool done = false;
    };
    // Waits up to `timeout` for new text or the end; takes the new text.
    Update waitForUpdate(std::chrono::milliseconds timeout);

    // After done: the result, or why it failed (errorMessage non-empty).
    const GenerationResult& result() const { return result_; }
    const std::string& errorMessage() const { return errorMessage_; }
    bool promptTooLong() const { return promptTooLong_; }

private:
    friend class GenerationQueue;
    void append(const std::string& text);
    void finish(GenerationResult result);
    void fail(std::string message, bool promptTooLong);

    GenerationInput input_;
    GenerationParameters parameters_;
    std::atomic<bool> cancel_{false};

    std::mutex mutex_;
    std::condition_variable changed_;
    int clientSocket_ = -1;
    std::vector<std::string> pending_;
    bool done_ = false;
    GenerationResult result_;
    std::string errorMessage_;
    bool promptTooLong_ = false;
};

class GenerationQueue {
public:
    // At most `maxWaiting` jobs wait behind the one running.
    GenerationQueue(std::shared_ptr<GenerationService> service, int maxWaiting);
    // close(), then waits for the worker.
    ~GenerationQueue();

    // Cancels every job (each still ends, as cancelled) and refuses new ones.
    void close();

    // False when the queue is full (answer 429 with retryAfterSeconds()).
    bool submit(std::shared_ptr<GenerationJob> job);
    // About when a place will be free: the recent average generation time times
    // the jobs ahead, in whole seconds, at least 1.
    int retryAfterSeconds() const;

    GenerationService& service() const { return *service_; }

private:
    void work();

    std::shared_ptr<GenerationService> service_;
    const int maxWaiting_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::shared_ptr<GenerationJob>> waiting_;
    std::shared_ptr<GenerationJob> running_;
    double averageSeconds_ = 1.0;
    bool stopping_ = false;
    std::thread worker_;
};

}  // namespace ps::server
