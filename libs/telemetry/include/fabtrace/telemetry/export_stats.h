// Counters of the span export path, readable at any time (e.g. by /metrics).
#pragma once

#include <atomic>
#include <cstdint>

namespace fabtrace::telemetry {

struct ExportStats {
  std::atomic<std::uint64_t> spans_queued{0};    // accepted into the export queue
  std::atomic<std::uint64_t> spans_dropped{0};   // queue full: never exported
  std::atomic<std::uint64_t> spans_exported{0};  // accepted by the Collector
  std::atomic<std::uint64_t> spans_failed{0};    // export attempted and failed
  std::atomic<std::uint64_t> spans_retried{0};   // sent again after a retryable failure
  std::atomic<std::uint64_t> pending{0};         // in the queue or being exported

  struct Snapshot {
    std::uint64_t queued, dropped, exported, failed, pending, retried;
  };
  Snapshot Read() const {
    return {spans_queued.load(), spans_dropped.load(), spans_exported.load(),
            spans_failed.load(), pending.load(),       spans_retried.load()};
  }
};

}  // namespace fabtrace::telemetry
