#include "fabtrace/telemetry/export_pipeline.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "fabtrace/telemetry/telemetry.h"
#include "opentelemetry/sdk/trace/span_data.h"

namespace sdk = opentelemetry::sdk;
namespace sdktrace = opentelemetry::sdk::trace;

namespace fabtrace::telemetry {
namespace {

// An exporter standing in for an unreachable or stuck Collector.
class FakeExporter final : public sdktrace::SpanExporter {
 public:
  explicit FakeExporter(bool succeed, bool block = false) : succeed_(succeed), block_(block) {}

  std::unique_ptr<sdktrace::Recordable> MakeRecordable() noexcept override {
    return std::make_unique<sdktrace::SpanData>();
  }
  sdk::common::ExportResult Export(
      const opentelemetry::nostd::span<std::unique_ptr<sdktrace::Recordable>>& spans) noexcept
      override {
    if (block_) {
      std::unique_lock lock(mutex_);
      released_.wait(lock, [this] { return release_; });
    }
    exported += spans.size();
    return succeed_ ? sdk::common::ExportResult::kSuccess : sdk::common::ExportResult::kFailure;
  }
  bool ForceFlush(std::chrono::microseconds) noexcept override { return true; }
  bool Shutdown(std::chrono::microseconds) noexcept override {
    Release();
    return true;
  }
  void Release() {
    std::lock_guard lock(mutex_);
    release_ = true;
    released_.notify_all();
  }

  std::atomic<std::size_t> exported{0};

 private:
  bool succeed_, block_;
  std::mutex mutex_;
  std::condition_variable released_;
  bool release_ = false;
};

Settings SmallQueue() {
  Settings settings;
  settings.resource = {{"service.name", "test"}, {"service.version", "1"}};
  settings.sampler.name = "always_on";
  settings.batch.max_queue_size = 8;
  settings.batch.max_export_batch_size = 4;
  settings.batch.schedule_delay = std::chrono::milliseconds(10);
  return settings;
}

void EndSpans(int count) {
  auto tracer = GetTracer("test");
  for (int i = 0; i < count; ++i) tracer->StartSpan("work")->End();
}

TEST(ExportPipeline, SuccessfulExportIsCounted) {
  auto telemetry = Telemetry::Start(SmallQueue(), std::make_unique<FakeExporter>(true));
  EndSpans(6);
  ASSERT_TRUE(telemetry->Flush(std::chrono::seconds(5)));
  const auto stats = telemetry->stats().Read();
  EXPECT_EQ(stats.queued, 6u);
  EXPECT_EQ(stats.exported, 6u);
  EXPECT_EQ(stats.failed, 0u);
  EXPECT_EQ(stats.dropped, 0u);
  EXPECT_EQ(stats.pending, 0u);
}

TEST(ExportPipeline, FailedExportIsCountedNotThrown) {
  auto telemetry = Telemetry::Start(SmallQueue(), std::make_unique<FakeExporter>(false));
  EndSpans(5);
  telemetry->Flush(std::chrono::seconds(5));
  const auto stats = telemetry->stats().Read();
  EXPECT_EQ(stats.failed, 5u);
  EXPECT_EQ(stats.exported, 0u);
}

TEST(ExportPipeline, FullQueueDropsAreCountedAndEndingSpansNeverBlocks) {
  auto exporter = std::make_unique<FakeExporter>(true, /*block=*/true);
  auto* stuck = exporter.get();
  auto telemetry = Telemetry::Start(SmallQueue(), std::move(exporter));
  const auto started = std::chrono::steady_clock::now();
  EndSpans(100);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_LT(elapsed, std::chrono::seconds(1));  // the stuck exporter never slowed the caller
  auto stats = telemetry->stats().Read();
  EXPECT_EQ(stats.queued, 8u);
  EXPECT_EQ(stats.dropped, 92u);
  stuck->Release();
  telemetry->Flush(std::chrono::seconds(5));
  stats = telemetry->stats().Read();
  EXPECT_EQ(stats.exported, 8u);
  EXPECT_EQ(stats.pending, 0u);
  // Once the exporter drains, the queue takes spans again.
  EndSpans(3);
  telemetry->Flush(std::chrono::seconds(5));
  EXPECT_EQ(telemetry->stats().Read().exported, 11u);
}

TEST(ExportPipeline, DisabledSdkRecordsNothing) {
  auto settings = SmallQueue();
  settings.disabled = true;
  auto telemetry = Telemetry::Start(settings, std::make_unique<FakeExporter>(true));
  auto span = GetTracer("test")->StartSpan("work");
  EXPECT_FALSE(span->IsRecording());
  span->End();
  EXPECT_EQ(telemetry->stats().Read().queued, 0u);
}

TEST(ExportPipeline, SamplerFromSettingsIsUsed) {
  auto settings = SmallQueue();
  settings.sampler.name = "always_off";
  auto telemetry = Telemetry::Start(settings, std::make_unique<FakeExporter>(true));
  EXPECT_FALSE(GetTracer("test")->StartSpan("work")->IsRecording());
}

// Records the size of every batch it is given.
class BatchRecorder final : public sdktrace::SpanExporter {
 public:
  std::unique_ptr<sdktrace::Recordable> MakeRecordable() noexcept override {
    return std::make_unique<sdktrace::SpanData>();
  }
  sdk::common::ExportResult Export(
      const opentelemetry::nostd::span<std::unique_ptr<sdktrace::Recordable>>& spans) noexcept
      override {
    std::lock_guard lock(mutex_);
    sizes_.push_back(spans.size());
    times_.push_back(std::chrono::steady_clock::now());
    return sdk::common::ExportResult::kSuccess;
  }
  bool ForceFlush(std::chrono::microseconds) noexcept override { return true; }
  bool Shutdown(std::chrono::microseconds) noexcept override { return true; }

  std::vector<std::size_t> sizes() {
    std::lock_guard lock(mutex_);
    return sizes_;
  }
  std::vector<std::chrono::steady_clock::time_point> times() {
    std::lock_guard lock(mutex_);
    return times_;
  }

 private:
  std::mutex mutex_;
  std::vector<std::size_t> sizes_;
  std::vector<std::chrono::steady_clock::time_point> times_;
};

struct Batching {
  explicit Batching(std::size_t batch_size, std::chrono::milliseconds delay,
                    std::size_t queue = 2048) {
    auto exporter = std::make_unique<BatchRecorder>();
    recorder = exporter.get();
    BatchSettings batch;
    batch.max_export_batch_size = batch_size;
    batch.schedule_delay = delay;
    batch.max_queue_size = queue;
    processor = MakeBoundedBatchProcessor(MakeCountingExporter(std::move(exporter), stats, "test"),
                                          batch, stats);
  }
  void End(int count) {
    for (int i = 0; i < count; ++i) processor->OnEnd(processor->MakeRecordable());
  }
  std::shared_ptr<ExportStats> stats = std::make_shared<ExportStats>();
  BatchRecorder* recorder;
  std::unique_ptr<sdktrace::SpanProcessor> processor;
};

bool Eventually(const std::function<bool()>& condition) {
  for (int i = 0; i < 500 && !condition(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return condition();
}

TEST(FullBatchProcessor, SendsFullBatchesAtOnceAndTheRestOnlyWhenFlushed) {
  Batching batching(4, std::chrono::hours(1));
  batching.End(10);
  ASSERT_TRUE(Eventually([&] { return batching.recorder->sizes().size() == 2; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(batching.recorder->sizes(), (std::vector<std::size_t>{4, 4}))
      << "two spans wait for the batch to fill or the delay to pass";
  EXPECT_EQ(batching.stats->Read().pending, 2u);
  ASSERT_TRUE(batching.processor->ForceFlush(std::chrono::seconds(5)));
  EXPECT_EQ(batching.recorder->sizes(), (std::vector<std::size_t>{4, 4, 2}));
  const auto stats = batching.stats->Read();
  EXPECT_EQ(stats.exported, 10u);
  EXPECT_EQ(stats.pending, 0u);
  EXPECT_TRUE(batching.processor->ForceFlush(std::chrono::seconds(5)));  // nothing to send
  EXPECT_EQ(batching.recorder->sizes().size(), 3u);
}

TEST(FullBatchProcessor, APartialBatchLeavesWhenTheScheduleDelayHasPassed) {
  const auto started = std::chrono::steady_clock::now();
  Batching batching(100, std::chrono::milliseconds(200));
  batching.End(3);
  ASSERT_TRUE(Eventually([&] { return batching.recorder->sizes().size() == 1; }));
  EXPECT_EQ(batching.recorder->sizes(), (std::vector<std::size_t>{3}));
  EXPECT_GE(batching.recorder->times().front() - started, std::chrono::milliseconds(190));
}

TEST(FullBatchProcessor, ShutdownSendsWhatIsQueuedAndLaterSpansAreDroppedAndCounted) {
  Batching batching(4, std::chrono::hours(1));
  batching.End(6);
  ASSERT_TRUE(batching.processor->Shutdown(std::chrono::seconds(5)));
  EXPECT_EQ(batching.stats->Read().exported, 6u);
  batching.End(2);
  const auto stats = batching.stats->Read();
  EXPECT_EQ(stats.exported, 6u);
  EXPECT_EQ(stats.dropped, 2u);
  EXPECT_TRUE(batching.processor->ForceFlush(std::chrono::seconds(1)));
}

TEST(FullBatchProcessor, ManyThreadsEndingSpansLoseNoneUncounted) {
  Batching batching(16, std::chrono::milliseconds(5), /*queue=*/64);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) threads.emplace_back([&] { batching.End(500); });
  for (auto& thread : threads) thread.join();
  ASSERT_TRUE(batching.processor->ForceFlush(std::chrono::seconds(5)));
  const auto stats = batching.stats->Read();
  EXPECT_EQ(stats.exported + stats.dropped, 2000u);
  EXPECT_EQ(stats.queued, stats.exported);
  EXPECT_GT(stats.exported, 0u);
  for (auto size : batching.recorder->sizes()) EXPECT_LE(size, 16u);
}

}  // namespace
}  // namespace fabtrace::telemetry
