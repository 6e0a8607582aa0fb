// The tracer provider the services install (FABTRACE_TRACER=direct, the default): spans
// of the opentelemetry-cpp API that write straight into the exporter's recordable.
//
// opentelemetry-cpp's SDK tracer puts a MultiRecordable (a map from processor to
// recordable) between every span and the one recordable our single processor makes, takes
// the span's lock for every call, and forwards each attribute through two virtual calls:
// about half of what a server span cost (docs/performance.md). This provider keeps what
// the SDK decides (its samplers, its random ids, the resource, the processor chain and the
// batch processor) and drops the indirection: a span owns its recordable, start
// attributes go into it before anyone else can see the span, and End hands it to the
// processor. FABTRACE_TRACER=sdk installs the SDK's own provider instead.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <vector>

#include "opentelemetry/sdk/resource/resource.h"
#include "opentelemetry/sdk/trace/processor.h"
#include "opentelemetry/sdk/trace/sampler.h"
#include "opentelemetry/trace/tracer_provider.h"

namespace fabtrace::telemetry::detail {

class DirectTracerProvider final : public opentelemetry::trace::TracerProvider {
 public:
  DirectTracerProvider(std::unique_ptr<opentelemetry::sdk::trace::SpanProcessor> processor,
                       opentelemetry::sdk::resource::Resource resource,
                       std::unique_ptr<opentelemetry::sdk::trace::Sampler> sampler);
  ~DirectTracerProvider() override;

  opentelemetry::nostd::shared_ptr<opentelemetry::trace::Tracer> GetTracer(
      opentelemetry::nostd::string_view name, opentelemetry::nostd::string_view version = "",
      opentelemetry::nostd::string_view schema_url = "") noexcept override;

  bool ForceFlush(std::chrono::microseconds timeout) noexcept;
  bool Shutdown(std::chrono::microseconds timeout) noexcept;

  struct State;  // shared by the provider, its tracers and their spans

 private:
  std::shared_ptr<State> state_;
  std::mutex mutex_;  // guards tracers_
  std::vector<std::shared_ptr<opentelemetry::trace::Tracer>> tracers_;
};

}  // namespace fabtrace::telemetry::detail
