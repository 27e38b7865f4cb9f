#include "server/generation_queue.h"

#include <algorithm>
#include <cmath>

#include "server/connection_stream.h"

namespace ps::server {

GenerationJob::GenerationJob(GenerationInput input, GenerationParameters parameters)
    : input_(std::move(input)), parameters_(std::move(parameters)) {}

GenerationJob::Update GenerationJob::waitForUpdate(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, timeout, [this] { return done_ || !pending_.empty(); });
    Update update;
    update.pieces.swap(pending_);
    update.done = done_;
    return update;
}

void GenerationJob::append(const std::string& text) {
    {
        std::lock_guard lock(mutex_);
        pending_.push_back(text);
    }
    changed_.notify_all();
}

void GenerationJob::finish(GenerationResult result) {
    {
        std::lock_guard lock(mutex_);
        result_ = std::move(result);
        done_ = true;
    }
    changed_.notify_all();
}

void GenerationJob::fail(std::string message, bool promptTooLong) {
    {
        std::lock_guard lock(mutex_);
        errorMessage_ = std::move(message);
        promptTooLong_ = promptTooLong;
        done_ = true;
    }
    changed_.notify_all();
}

GenerationQueue::GenerationQueue(std::shared_ptr<GenerationService> service, int maxWaiting)
    : service_(std::move(service)), maxWaiting_(std::max(0, maxWaiting)) {
    worker_ = std::thread(&GenerationQueue::work, this);
}

GenerationQueue::~GenerationQueue() {
    close();
    worker_.join();
}

void GenerationQueue::close() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        for (auto& job : waiting_) job->cancel();
        if (running_) running_->cancel();
    }
    wake_.notify_all();
}

bool GenerationQueue::submit(std::shared_ptr<GenerationJob> job) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_) return false;
        // Jobs that would then wait: all queued ones, less the one the idle worker takes next.
        const int wouldWait = static_cast<int>(waiting_.size()) + (running_ ? 1 : 0);
        if (wouldWait > maxWaiting_) return false;
        waiting_.push_back(std::move(job));
    }
    wake_.notify_one();
    return true;
}

int GenerationQueue::retryAfterSeconds() const {
    std::lock_guard lock(mutex_);
    const double ahead = static_cast<double>(waiting_.size()) + (running_ ? 1 : 0);
    return static_cast<int>(std::clamp(std::ceil(averageSeconds_ * std::max(1.0, ahead)), 1.0, 600.0));
}

void GenerationQueue::work() {
    for (;;) {
        std::shared_ptr<GenerationJob> job;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !waiting_.empty(); });
            if (waiting_.empty()) return;  // stopping; jobs still waiting end (cancelled) first
            job = std::move(waiting_.front());
            waiting_.pop_front();
            running_ = job;
        }
        const auto start = std::chrono::steady_clock::now();
        if (job->isCancelled()) {
            // Its client left while it waited: nothing to compute.
            GenerationResult cancelled;
            cancelled.stopReason = StopReason::Cancelled;
            job->finish(std::move(cancelled));
        } else {
            try {
                GenerationResult result = service_->generate(
                    job->input_, job->parameters_,
                    [&job](const std::string& text) {
                        job->append(text);
                        if (job->clientSocket_ >= 0 && peerHasHungUp(job->clientSocket_)) job->cancel();
                        return !job->isCancelled();
                    },
                    &job->cancel_);
                job->finish(std::move(result));
            } catch (const PromptTooLongError& error) {
                job->fail(std::string("The prompt is ") + std::to_string(error.promptTokens()) +
                              " tokens; the model's context holds " + std::to_string(error.contextTokens()) +
                              " with room for the answer.",
                          true);
            } catch (const std::exception& error) {
                job->fail(error.what(), false);
            }
        }
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::lock_guard lock(mutex_);
        averageSeconds_ = 0.8 * averageSeconds_ + 0.2 * seconds;
        running_.reset();
    }
}

}  // namespace ps::server
