// Logs that name their trace: every spdlog line carries the trace_id and span_id of
// the span active on the logging thread, so a log line leads to its trace and back.
#pragma once

#include <spdlog/common.h>

#include <string>

namespace fabtrace::telemetry {

// Sets spdlog's default logger pattern (with trace_id/span_id) and level (services read
// it from LOG_LEVEL through fabtrace::service::Settings, which refuses unknown levels).
void SetUpLogging(const std::string& service_name,
                  spdlog::level::level_enum level = spdlog::level::info);

}  // namespace fabtrace::telemetry
