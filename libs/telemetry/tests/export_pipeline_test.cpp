#include "fabtrace/telemetry/export_pipeline.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

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

}  // namespace
}  // namespace fabtrace::telemetry
