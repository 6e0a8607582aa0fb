// Carrying trace context across process boundaries (W3C trace-context and baggage).
// Incoming headers are untrusted: a malformed, over-long or non-ASCII traceparent,
// tracestate or baggage is ignored (a fresh trace starts); extraction never throws.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "opentelemetry/context/context.h"
#include "opentelemetry/trace/span_context.h"

namespace fabtrace::telemetry {

// Looks a header up by its lower-case name.
using HeaderLookup = std::function<std::optional<std::string_view>(std::string_view name)>;
using HeaderSetter = std::function<void(std::string_view name, std::string_view value)>;

// Context carried by the headers, on top of `base`.
opentelemetry::context::Context ExtractContext(const HeaderLookup& headers,
                                               const opentelemetry::context::Context& base);
// Same on top of the current context.
opentelemetry::context::Context ExtractContext(const HeaderLookup& headers);

// Writes the current context (or `context`) as traceparent/tracestate/baggage headers.
void InjectContext(const HeaderSetter& set);
void InjectContext(const HeaderSetter& set, const opentelemetry::context::Context& context);

// Strict W3C checks applied before the SDK sees a header.
bool IsValidTraceparent(std::string_view value);
bool IsAcceptableTracestate(std::string_view value);
bool IsAcceptableBaggage(std::string_view value);

// "00-<trace id>-<span id>-<flags>" of the current span, empty outside a span.
std::string CurrentTraceparent();
// The same appended to `out` (55 characters, no allocation when `out` has the room);
// false, and nothing appended, outside a span.
bool AppendCurrentTraceparent(std::string& out);
// The current trace id as 32 lower-case hex characters, empty outside a span.
std::string CurrentTraceId();
// The trace id of `context` the same way, empty when the context is not valid.
std::string TraceIdOf(const opentelemetry::trace::SpanContext& context);

}  // namespace fabtrace::telemetry
