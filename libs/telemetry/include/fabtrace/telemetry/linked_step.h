// A step of the current work that continues something begun in another trace: an
// INTERNAL span, child of the current span, with a link to the trace that began it (a
// traceparent stored with the business object, e.g. the approval that created a
// production job). Support walks from any later trace of the object to its origin.
// An empty or malformed traceparent, or one of the current trace, gives no link.
#pragma once

#include <string>

#include "fabtrace/telemetry/active_span.h"
#include "opentelemetry/nostd/shared_ptr.h"
#include "opentelemetry/trace/span.h"

namespace fabtrace::telemetry {

class LinkedStep {
 public:
  LinkedStep(const std::string& name, const std::string& origin_traceparent);
  ~LinkedStep();  // ends the span
  LinkedStep(const LinkedStep&) = delete;
  LinkedStep& operator=(const LinkedStep&) = delete;

  opentelemetry::trace::Span& span() { return *span_; }

 private:
  opentelemetry::nostd::shared_ptr<opentelemetry::trace::Span> span_;
  ActiveSpan active_;
};

}  // namespace fabtrace::telemetry
