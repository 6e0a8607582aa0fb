#include "fabtrace/telemetry/tracer.h"

#include "fabtrace/telemetry/version.h"
#include "opentelemetry/trace/provider.h"

namespace fabtrace::telemetry {

opentelemetry::nostd::shared_ptr<opentelemetry::trace::Tracer> GetTracer(
    const std::string& library) {
  return opentelemetry::trace::Provider::GetTracerProvider()->GetTracer("fabtrace." + library,
                                                                        kVersion);
}

}  // namespace fabtrace::telemetry
