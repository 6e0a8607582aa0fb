// An OTLP/HTTP span exporter whose Export() returns the real outcome of the request.
//
// Debian's opentelemetry-cpp 1.19 is built with ENABLE_ASYNC_EXPORT, so its
// OtlpHttpExporter::Export() hands the request to a background session and reports
// success at once, even when the Collector is down. Failures would then be invisible
// to our export counters. This exporter builds the same OTLP request and sends it with
// the library's OtlpHttpClient synchronously, on the batch processor's thread.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "fabtrace/telemetry/settings.h"
#include "opentelemetry/exporters/otlp/otlp_http.h"
#include "opentelemetry/sdk/trace/exporter.h"

namespace fabtrace::telemetry {

// Sends to settings.endpoint with settings.headers, settings.tls and the export timeout.
std::unique_ptr<opentelemetry::sdk::trace::SpanExporter> MakeSyncOtlpHttpExporter(
    const Settings& settings, opentelemetry::exporter::otlp::HttpRequestContentType content_type);

}  // namespace fabtrace::telemetry
