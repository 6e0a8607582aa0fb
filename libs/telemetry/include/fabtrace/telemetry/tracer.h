// The tracer the shared libraries create their spans with (API only: it works with the
// SDK an executable installs through Telemetry::Start, and is a no-op without one).
#pragma once

#include <string>

#include "opentelemetry/nostd/shared_ptr.h"
#include "opentelemetry/trace/tracer.h"

namespace fabtrace::telemetry {

// The tracer of a shared library, named "fabtrace.<library>" with our version.
opentelemetry::nostd::shared_ptr<opentelemetry::trace::Tracer> GetTracer(
    const std::string& library);

}  // namespace fabtrace::telemetry
