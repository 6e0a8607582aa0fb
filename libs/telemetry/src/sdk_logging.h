// Sends opentelemetry-cpp's own diagnostics to spdlog (called by Telemetry::Start).
#pragma once

namespace fabtrace::telemetry {

void RouteSdkLogsToSpdlog();

}  // namespace fabtrace::telemetry
