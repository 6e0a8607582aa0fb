// Our OTLP/HTTP span exporter (the default export path): spans recorded as plain C++
// values (CompactRecordable), encoded straight into the protobuf wire format, and sent
// synchronously on the batch processor's thread over one kept-alive connection. Export()
// returns the real outcome, retrying 429/502/503/504 and lost connections with backoff
// (0.2 s doubling up to 2 s; Retry-After honoured) until the export timeout: a Collector
// that restarts within it loses nothing, while new spans wait in the bounded queue.
#pragma once

#include <memory>

#include "fabtrace/telemetry/export_stats.h"
#include "fabtrace/telemetry/settings.h"
#include "opentelemetry/sdk/trace/exporter.h"

namespace fabtrace::telemetry {

// Sends to settings.endpoint with settings.headers, settings.tls and the export timeout;
// counts the spans it sends again in stats->spans_retried (when stats is given).
std::unique_ptr<opentelemetry::sdk::trace::SpanExporter> MakeCompactOtlpHttpExporter(
    const Settings& settings, std::shared_ptr<ExportStats> stats = nullptr);

}  // namespace fabtrace::telemetry
