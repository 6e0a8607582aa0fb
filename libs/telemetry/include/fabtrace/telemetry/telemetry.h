// One call sets up tracing for a service: tracer provider from the OTEL_* environment,
// W3C trace-context and baggage propagators, counted export, logs with trace ids.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "fabtrace/telemetry/export_stats.h"
#include "fabtrace/telemetry/settings.h"
#include "fabtrace/telemetry/tracer.h"
#include "opentelemetry/nostd/shared_ptr.h"
#include "opentelemetry/sdk/trace/exporter.h"
#include "opentelemetry/trace/tracer.h"

namespace fabtrace::telemetry {

// Owns the global tracer provider while it lives; its destructor flushes the spans
// still queued (bounded by the export timeout) and restores the no-op provider.
class Telemetry {
 public:
  // Reads the environment (see Settings) and installs the global provider.
  static std::unique_ptr<Telemetry> Start(const std::string& default_service_name,
                                          const std::string& default_version);
  // Same with explicit settings; `exporter` replaces the OTLP exporter when given
  // (tests pass an in-memory exporter).
  static std::unique_ptr<Telemetry> Start(
      Settings settings,
      std::unique_ptr<opentelemetry::sdk::trace::SpanExporter> exporter = nullptr);

  ~Telemetry();
  Telemetry(const Telemetry&) = delete;
  Telemetry& operator=(const Telemetry&) = delete;

  const Settings& settings() const { return settings_; }
  const ExportStats& stats() const { return *stats_; }
  bool Flush(std::chrono::milliseconds timeout);

 private:
  struct Impl;
  Telemetry(Settings settings, std::shared_ptr<ExportStats> stats, std::unique_ptr<Impl> impl);

  Settings settings_;
  std::shared_ptr<ExportStats> stats_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fabtrace::telemetry
