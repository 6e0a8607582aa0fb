// The bound of the span export queue, shared by both batch processors: a span is admitted
// while fewer than `limit` spans are queued or being exported (the exporter's counting
// wrapper takes them off `pending`); otherwise it is dropped, counted, and logged at most
// once per 10 s.
#pragma once

#include <spdlog/spdlog.h>

#include <cstddef>
#include <memory>
#include <utility>

#include "fabtrace/telemetry/export_stats.h"
#include "fabtrace/telemetry/rate_limiter.h"

namespace fabtrace::telemetry::detail {

class QueueBound {
 public:
  QueueBound(std::size_t limit, std::shared_ptr<ExportStats> stats)
      : limit_(limit), stats_(std::move(stats)) {}

  std::size_t limit() const { return limit_; }

  // True: the span is pending (and counted as queued). False: dropped and counted.
  bool Admit() {
    if (stats_->pending.fetch_add(1) < limit_) {
      stats_->spans_queued += 1;
      return true;
    }
    stats_->pending.fetch_sub(1);
    Drop();
    return false;
  }

  // A span that is not exported (the queue is full, or the processor has stopped).
  void Drop() {
    stats_->spans_dropped += 1;
    if (auto suppressed = drop_log_.Allow()) {
      spdlog::warn(
          "span export queue full ({} spans): span dropped ({} dropped in all, {} similar "
          "messages suppressed)",
          limit_, stats_->spans_dropped.load(), *suppressed);
    }
  }

 private:
  const std::size_t limit_;
  std::shared_ptr<ExportStats> stats_;
  RateLimiter drop_log_{std::chrono::seconds(10)};
};

}  // namespace fabtrace::telemetry::detail
