// Business identifiers on the span of the request being served ("shop.order.id", ...),
// so support finds the order, job or customer a trace is about. Never personal data.
#pragma once

#include <cstdint>
#include <string>

#include "fabtrace/telemetry/active_span.h"

namespace fabtrace::telemetry {

// Sets the attribute on the innermost active span (the server span inside a handler).
inline void Annotate(const std::string& key, std::int64_t value) {
  CurrentSpan()->SetAttribute(key, value);
}
inline void Annotate(const std::string& key, const std::string& value) {
  CurrentSpan()->SetAttribute(key, value);
}

}  // namespace fabtrace::telemetry
