// Our OTLP/HTTP span exporter (the default export path): spans recorded as plain C++
// values (CompactRecordable), encoded straight into the protobuf wire format, and sent
// synchronously on the batch processor's thread over one kept-alive connection. Export()
// returns the real outcome, retrying 429/502/503/504 and lost connections with backoff
// (Retry-After honoured) within the export timeout.
#pragma once

#include <memory>

#include "fabtrace/telemetry/settings.h"
#include "opentelemetry/sdk/trace/exporter.h"

namespace fabtrace::telemetry {

// Sends to settings.endpoint with settings.headers, settings.tls and the export timeout.
std::unique_ptr<opentelemetry::sdk::trace::SpanExporter> MakeCompactOtlpHttpExporter(
    const Settings& settings);

}  // namespace fabtrace::telemetry
