// The export path behind the tracer: a bounded queue whose drops are counted, and an
// exporter whose failures are counted and logged (rate-limited). Nothing here ever
// blocks or throws into the thread that ends a span.
#pragma once

#include <memory>
#include <string>

#include "fabtrace/telemetry/export_stats.h"
#include "fabtrace/telemetry/settings.h"
#include "opentelemetry/sdk/trace/exporter.h"
#include "opentelemetry/sdk/trace/processor.h"

namespace fabtrace::telemetry {

// Wraps an exporter: counts exported and failed spans, logs failures rate-limited.
std::unique_ptr<opentelemetry::sdk::trace::SpanExporter> MakeCountingExporter(
    std::unique_ptr<opentelemetry::sdk::trace::SpanExporter> inner,
    std::shared_ptr<ExportStats> stats, std::string destination);

// A batch processor that drops (and counts) spans once max_queue_size spans are
// waiting, instead of letting the SDK drop them silently. `exporter` should come
// from MakeCountingExporter with the same stats. Ours sends full batches (see
// src/full_batch_processor.h); with `sdk` set, opentelemetry-cpp's BatchSpanProcessor
// does the batching behind the same bound (FABTRACE_TRACER=sdk, for comparison).
std::unique_ptr<opentelemetry::sdk::trace::SpanProcessor> MakeBoundedBatchProcessor(
    std::unique_ptr<opentelemetry::sdk::trace::SpanExporter> exporter, const BatchSettings& batch,
    std::shared_ptr<ExportStats> stats, bool sdk = false);

}  // namespace fabtrace::telemetry
