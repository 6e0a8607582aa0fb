// Ends a span when the scope is left, however it is left (return or exception).
#pragma once

#include "opentelemetry/nostd/shared_ptr.h"
#include "opentelemetry/trace/span.h"

namespace fabtrace::telemetry {

class EndOnExit {
 public:
  explicit EndOnExit(opentelemetry::nostd::shared_ptr<opentelemetry::trace::Span> span)
      : span_(std::move(span)) {}
  ~EndOnExit() { span_->End(); }
  EndOnExit(const EndOnExit&) = delete;
  EndOnExit& operator=(const EndOnExit&) = delete;

 private:
  opentelemetry::nostd::shared_ptr<opentelemetry::trace::Span> span_;
};

}  // namespace fabtrace::telemetry
