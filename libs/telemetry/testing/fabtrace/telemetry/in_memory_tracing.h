// Test support: while an InMemoryTracing lives, the global tracer provider records
// every span in memory (synchronously), with the W3C propagators installed.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fabtrace/telemetry/settings.h"
#include "fabtrace/telemetry/telemetry.h"
#include "opentelemetry/exporters/memory/in_memory_span_data.h"
#include "opentelemetry/exporters/memory/in_memory_span_exporter_factory.h"
#include "opentelemetry/sdk/trace/span_data.h"

namespace fabtrace::telemetry::testing {

using SpanData = opentelemetry::sdk::trace::SpanData;
using Spans = std::vector<std::unique_ptr<SpanData>>;

class InMemoryTracing {
 public:
  explicit InMemoryTracing(TracerKind tracer = TracerKind::kDirect) {
    Settings settings;
    settings.tracer = tracer;
    settings.resource = {{"service.name", "unit-test"}, {"service.version", "0.0.0"}};
    settings.sampler.name = "always_on";
    settings.batch.schedule_delay = std::chrono::milliseconds(1);
    telemetry_ = Telemetry::Start(
        settings, opentelemetry::exporter::memory::InMemorySpanExporterFactory::Create(data_));
  }

  // Every span ended so far (flushes the batch processor first), in end order.
  Spans TakeSpans() {
    telemetry_->Flush(std::chrono::seconds(5));
    return data_->GetSpans();
  }

  const Telemetry& telemetry() const { return *telemetry_; }

 private:
  std::shared_ptr<opentelemetry::exporter::memory::InMemorySpanData> data_;
  std::unique_ptr<Telemetry> telemetry_;
};

inline const SpanData* FindSpan(const Spans& spans, const std::string& name) {
  for (const auto& span : spans) {
    if (span->GetName() == name) return span.get();
  }
  return nullptr;
}

inline std::optional<std::string> StringAttribute(const SpanData& span, const std::string& key) {
  const auto& attributes = span.GetAttributes();
  auto it = attributes.find(key);
  if (it == attributes.end()) return std::nullopt;
  if (const auto* value = opentelemetry::nostd::get_if<std::string>(&it->second)) return *value;
  return std::nullopt;
}

inline std::optional<int64_t> IntAttribute(const SpanData& span, const std::string& key) {
  const auto& attributes = span.GetAttributes();
  auto it = attributes.find(key);
  if (it == attributes.end()) return std::nullopt;
  if (const auto* value = opentelemetry::nostd::get_if<int64_t>(&it->second)) return *value;
  if (const auto* value = opentelemetry::nostd::get_if<int32_t>(&it->second)) return *value;
  return std::nullopt;
}

inline bool HasAttribute(const SpanData& span, const std::string& key) {
  return span.GetAttributes().count(key) > 0;
}

inline const opentelemetry::sdk::trace::SpanDataEvent* FindEvent(const SpanData& span,
                                                                 const std::string& name) {
  for (const auto& event : span.GetEvents()) {
    if (event.GetName() == name) return &event;
  }
  return nullptr;
}

inline std::optional<std::string> EventString(const opentelemetry::sdk::trace::SpanDataEvent& event,
                                              const std::string& key) {
  auto it = event.GetAttributes().find(key);
  if (it == event.GetAttributes().end()) return std::nullopt;
  if (const auto* value = opentelemetry::nostd::get_if<std::string>(&it->second)) return *value;
  return std::nullopt;
}

}  // namespace fabtrace::telemetry::testing
