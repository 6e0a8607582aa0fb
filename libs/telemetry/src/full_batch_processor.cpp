#include "full_batch_processor.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "opentelemetry/sdk/trace/recordable.h"
#include "queue_bound.h"

namespace sdktrace = opentelemetry::sdk::trace;

namespace fabtrace::telemetry::detail {
namespace {

using Clock = std::chrono::steady_clock;
using Spans = std::vector<std::unique_ptr<sdktrace::Recordable>>;

// A wait of "forever" (microseconds::max()) would overflow the clock: an hour is enough.
std::chrono::microseconds Bounded(std::chrono::microseconds timeout) {
  return std::min<std::chrono::microseconds>(timeout, std::chrono::hours(1));
}

class FullBatchProcessor final : public sdktrace::SpanProcessor {
 public:
  FullBatchProcessor(std::unique_ptr<sdktrace::SpanExporter> exporter, const BatchSettings& batch,
                     std::shared_ptr<ExportStats> stats)
      : exporter_(std::move(exporter)),
        batch_size_(std::max<std::size_t>(batch.max_export_batch_size, 1)),
        delay_(batch.schedule_delay),
        bound_(batch.max_queue_size, std::move(stats)) {
    // Room for every span the bound admits, so that ending a span never reallocates
    // under the lock, and the worker takes the queue by swapping the two.
    queue_.reserve(bound_.limit() + 1);
    taken_.reserve(bound_.limit() + 1);
    worker_ = std::thread([this] { Run(); });
  }

  ~FullBatchProcessor() override { Shutdown(std::chrono::seconds(10)); }

  std::unique_ptr<sdktrace::Recordable> MakeRecordable() noexcept override {
    return exporter_->MakeRecordable();
  }

  void OnStart(sdktrace::Recordable&, const opentelemetry::trace::SpanContext&) noexcept override {}

  void OnEnd(std::unique_ptr<sdktrace::Recordable>&& span) noexcept override {
    bool wake = false;
    {
      const std::lock_guard lock(mutex_);
      if (stopping_) {
        bound_.Drop();
        return;
      }
      if (!bound_.Admit()) return;
      queue_.push_back(std::move(span));
      wake = queue_.size() == batch_size_;  // once per batch, not once per span
    }
    if (wake) wake_.notify_one();
  }

  bool ForceFlush(std::chrono::microseconds timeout) noexcept override {
    std::unique_lock lock(mutex_);
    if (stopped_) return true;
    const auto ticket = ++flush_requested_;
    wake_.notify_one();
    return flushed_.wait_for(lock, Bounded(timeout),
                             [&] { return flush_done_ >= ticket || stopped_; });
  }

  bool Shutdown(std::chrono::microseconds timeout) noexcept override {
    {
      const std::lock_guard lock(mutex_);
      if (stopping_) return true;
      stopping_ = true;
    }
    wake_.notify_one();
    if (worker_.joinable()) worker_.join();  // exports what is queued first
    return exporter_->Shutdown(timeout);
  }

 private:
  // The export thread: waits for a full batch, a flush, the stop, or the schedule delay.
  void Run() {
    std::unique_lock lock(mutex_);
    auto due = Clock::now() + delay_;
    while (true) {
      wake_.wait_until(lock, due, [&] {
        return stopping_ || flush_requested_ > flush_done_ || queue_.size() >= batch_size_;
      });
      const bool drain = stopping_ || flush_requested_ > flush_done_ || Clock::now() >= due;
      const auto ticket = flush_requested_;
      // Draining sends what is queued now, once: spans ending meanwhile wait for their
      // batch (or, when stopping, for the next turn, which takes no new ones).
      for (bool once = drain; queue_.size() >= batch_size_ || (once && !queue_.empty());
           once = false) {
        // Take the queue whole (a swap: the lock is held for no time), send it in batches,
        // and give a partial last batch back unless draining: it waits to be filled.
        taken_.swap(queue_);
        lock.unlock();
        std::size_t sent = 0;
        while (taken_.size() - sent >= batch_size_ || (once && sent < taken_.size())) {
          const auto count = std::min(batch_size_, taken_.size() - sent);
          exporter_->Export(opentelemetry::nostd::span<std::unique_ptr<sdktrace::Recordable>>(
              taken_.data() + sent, count));
          sent += count;
        }
        lock.lock();
        for (auto it = taken_.begin() + static_cast<long>(sent); it != taken_.end(); ++it) {
          queue_.push_back(std::move(*it));
        }
        lock.unlock();
        taken_.clear();  // frees the sent spans, outside the lock
        lock.lock();
      }
      if (drain) due = Clock::now() + delay_;
      if (ticket > flush_done_) {
        flush_done_ = ticket;
        flushed_.notify_all();
      }
      if (stopping_ && queue_.empty()) break;
    }
    stopped_ = true;
    flushed_.notify_all();
  }

  std::unique_ptr<sdktrace::SpanExporter> exporter_;
  const std::size_t batch_size_;
  const std::chrono::milliseconds delay_;
  QueueBound bound_;

  std::mutex mutex_;                 // guards everything below but taken_ (the worker's own)
  std::condition_variable wake_;     // the worker: a full batch, a flush, the stop
  std::condition_variable flushed_;  // ForceFlush callers
  Spans queue_;
  std::uint64_t flush_requested_ = 0;
  std::uint64_t flush_done_ = 0;
  bool stopping_ = false;
  bool stopped_ = false;
  Spans taken_;
  std::thread worker_;  // last: starts once everything above exists
};

}  // namespace

std::unique_ptr<sdktrace::SpanProcessor> MakeFullBatchProcessor(
    std::unique_ptr<sdktrace::SpanExporter> exporter, const BatchSettings& batch,
    std::shared_ptr<ExportStats> stats) {
  return std::make_unique<FullBatchProcessor>(std::move(exporter), batch, std::move(stats));
}

}  // namespace fabtrace::telemetry::detail
