// Logs that name their trace: every spdlog line carries the trace_id and span_id of
// the span active on the logging thread, so a log line leads to its trace and back.
#pragma once

#include <string>

namespace fabtrace::telemetry {

// Sets spdlog's default logger pattern (with trace_id/span_id) and level, which comes
// from the LOG_LEVEL environment variable (trace, debug, info, warn, error; default info).
void SetUpLogging(const std::string& service_name);

// Sends opentelemetry-cpp's own diagnostics (e.g. "export failed") to spdlog,
// rate-limited per message kind.
void RouteSdkLogsToSpdlog();

}  // namespace fabtrace::telemetry
