// The batch span processor of our export path: spans wait in a bounded queue and go to the
// exporter in full batches (OTEL_BSP_MAX_EXPORT_BATCH_SIZE), or whatever is queued once
// the schedule delay (OTEL_BSP_SCHEDULE_DELAY) has passed since the last export, as the
// specification describes.
//
// opentelemetry-cpp's BatchSpanProcessor (1.19, and still in 1.27:
// open-telemetry/opentelemetry-cpp#4449) wakes its worker whenever the queue is not empty,
// so under steady load it exports a handful of spans at a time and pays an HTTP request
// for each handful: measured here, a tenth of a service's CPU at saturation
// (docs/performance.md). A span that does not fit (max_queue_size spans not yet through
// the exporter) is dropped and counted; ending a span never blocks on the export.
#pragma once

#include <memory>

#include "fabtrace/telemetry/export_stats.h"
#include "fabtrace/telemetry/settings.h"
#include "opentelemetry/sdk/trace/exporter.h"
#include "opentelemetry/sdk/trace/processor.h"

namespace fabtrace::telemetry::detail {

std::unique_ptr<opentelemetry::sdk::trace::SpanProcessor> MakeFullBatchProcessor(
    std::unique_ptr<opentelemetry::sdk::trace::SpanExporter> exporter, const BatchSettings& batch,
    std::shared_ptr<ExportStats> stats);

}  // namespace fabtrace::telemetry::detail
