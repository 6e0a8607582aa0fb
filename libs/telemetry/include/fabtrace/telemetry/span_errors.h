// Recording failures on spans the same way everywhere: status ERROR, a specific
// error.type, and for exceptions an `exception` event with type, message, stack trace.
#pragma once

#include <exception>
#include <string>
#include <string_view>

#include "opentelemetry/trace/span.h"

namespace fabtrace::telemetry {

// The demangled dynamic type of an exception, e.g. "std::out_of_range".
std::string ExceptionTypeName(const std::exception& error);

// The calling thread's stack, one frame per line (demangled where symbols allow).
std::string CurrentStacktrace(int skip_frames = 1);

// Marks the span failed: status ERROR with `description` and error.type=`error_type`.
void MarkError(opentelemetry::trace::Span& span, std::string_view error_type,
               std::string_view description);

// Adds the `exception` event and marks the span failed with error.type = the type name.
// `stacktrace` defaults to the stack of the caller.
void RecordException(opentelemetry::trace::Span& span, const std::exception& error,
                     const std::string& stacktrace = CurrentStacktrace(2));

}  // namespace fabtrace::telemetry
