#include "fabtrace/telemetry/export_pipeline.h"

#include <spdlog/spdlog.h>

#include <utility>

#include "fabtrace/telemetry/rate_limiter.h"
#include "full_batch_processor.h"
#include "opentelemetry/sdk/trace/batch_span_processor_factory.h"
#include "opentelemetry/sdk/trace/batch_span_processor_options.h"
#include "queue_bound.h"

namespace sdk = opentelemetry::sdk;
namespace sdktrace = opentelemetry::sdk::trace;

namespace fabtrace::telemetry {
namespace {

class CountingExporter final : public sdktrace::SpanExporter {
 public:
  CountingExporter(std::unique_ptr<sdktrace::SpanExporter> inner,
                   std::shared_ptr<ExportStats> stats, std::string destination)
      : inner_(std::move(inner)), stats_(std::move(stats)), destination_(std::move(destination)) {}

  std::unique_ptr<sdktrace::Recordable> MakeRecordable() noexcept override {
    return inner_->MakeRecordable();
  }

  sdk::common::ExportResult Export(
      const opentelemetry::nostd::span<std::unique_ptr<sdktrace::Recordable>>& spans) noexcept
      override {
    const auto count = spans.size();
    const auto result = inner_->Export(spans);
    stats_->pending.fetch_sub(std::min<std::uint64_t>(count, stats_->pending.load()));
    if (result == sdk::common::ExportResult::kSuccess) {
      stats_->spans_exported += count;
    } else {
      stats_->spans_failed += count;
      if (auto suppressed = failure_log_.Allow()) {
        spdlog::warn(
            "span export to {} failed: {} spans lost ({} failed in all, {} similar messages "
            "suppressed); requests are not affected",
            destination_, count, stats_->spans_failed.load(), *suppressed);
      }
    }
    return result;
  }

  bool ForceFlush(std::chrono::microseconds timeout) noexcept override {
    return inner_->ForceFlush(timeout);
  }

  bool Shutdown(std::chrono::microseconds timeout) noexcept override {
    return inner_->Shutdown(timeout);
  }

 private:
  std::unique_ptr<sdktrace::SpanExporter> inner_;
  std::shared_ptr<ExportStats> stats_;
  std::string destination_;
  RateLimiter failure_log_{std::chrono::seconds(10)};
};

class BoundedProcessor final : public sdktrace::SpanProcessor {
 public:
  BoundedProcessor(std::unique_ptr<sdktrace::SpanProcessor> inner, std::size_t limit,
                   std::shared_ptr<ExportStats> stats)
      : inner_(std::move(inner)), bound_(limit, std::move(stats)) {}

  std::unique_ptr<sdktrace::Recordable> MakeRecordable() noexcept override {
    return inner_->MakeRecordable();
  }

  void OnStart(sdktrace::Recordable& span,
               const opentelemetry::trace::SpanContext& parent) noexcept override {
    inner_->OnStart(span, parent);
  }

  void OnEnd(std::unique_ptr<sdktrace::Recordable>&& span) noexcept override {
    // The SDK's queue is larger than the bound, so it never drops silently.
    if (!bound_.Admit()) return;
    inner_->OnEnd(std::move(span));
  }

  bool ForceFlush(std::chrono::microseconds timeout) noexcept override {
    return inner_->ForceFlush(timeout);
  }

  bool Shutdown(std::chrono::microseconds timeout) noexcept override {
    return inner_->Shutdown(timeout);
  }

 private:
  std::unique_ptr<sdktrace::SpanProcessor> inner_;
  detail::QueueBound bound_;
};

}  // namespace

std::unique_ptr<sdktrace::SpanExporter> MakeCountingExporter(
    std::unique_ptr<sdktrace::SpanExporter> inner, std::shared_ptr<ExportStats> stats,
    std::string destination) {
  return std::make_unique<CountingExporter>(std::move(inner), std::move(stats),
                                            std::move(destination));
}

std::unique_ptr<sdktrace::SpanProcessor> MakeBoundedBatchProcessor(
    std::unique_ptr<sdktrace::SpanExporter> exporter, const BatchSettings& batch,
    std::shared_ptr<ExportStats> stats, bool sdk) {
  if (!sdk) return detail::MakeFullBatchProcessor(std::move(exporter), batch, std::move(stats));
  sdktrace::BatchSpanProcessorOptions options;
  options.max_queue_size = batch.max_queue_size + batch.max_export_batch_size;
  options.max_export_batch_size = batch.max_export_batch_size;
  options.schedule_delay_millis = batch.schedule_delay;
  auto inner = sdktrace::BatchSpanProcessorFactory::Create(std::move(exporter), options);
  return std::make_unique<BoundedProcessor>(std::move(inner), batch.max_queue_size,
                                            std::move(stats));
}

}  // namespace fabtrace::telemetry
