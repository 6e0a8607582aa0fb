#include "fabtrace/telemetry/span_errors.h"

#include <cxxabi.h>
#include <execinfo.h>

#include <cstdlib>
#include <memory>
#include <typeinfo>

#include "opentelemetry/semconv/error_attributes.h"
#include "opentelemetry/semconv/exception_attributes.h"

namespace fabtrace::telemetry {

namespace semconv = opentelemetry::semconv;
namespace {

std::string Demangle(const char* mangled) {
  int status = 0;
  std::unique_ptr<char, decltype(&std::free)> demangled(
      abi::__cxa_demangle(mangled, nullptr, nullptr, &status), &std::free);
  return status == 0 && demangled ? std::string(demangled.get()) : std::string(mangled);
}

// "binary(mangled+0x12) [0x...]" -> "binary(demangled+0x12) [0x...]"
std::string DemangleFrame(const std::string& frame) {
  const auto open = frame.find('(');
  const auto plus = frame.find('+', open == std::string::npos ? 0 : open);
  if (open == std::string::npos || plus == std::string::npos || plus == open + 1) return frame;
  const auto symbol = frame.substr(open + 1, plus - open - 1);
  return frame.substr(0, open + 1) + Demangle(symbol.c_str()) + frame.substr(plus);
}

}  // namespace

std::string ExceptionTypeName(const std::exception& error) {
  return Demangle(typeid(error).name());
}

std::string CurrentStacktrace(int skip_frames) {
  void* frames[64];
  const int count = backtrace(frames, 64);
  std::unique_ptr<char*, decltype(&std::free)> symbols(backtrace_symbols(frames, count),
                                                       &std::free);
  if (!symbols) return {};
  std::string out;
  for (int i = skip_frames; i < count; ++i) {
    out += "  at ";
    out += DemangleFrame(symbols.get()[i]);
    out += '\n';
  }
  return out;
}

void MarkError(opentelemetry::trace::Span& span, std::string_view error_type,
               std::string_view description) {
  span.SetAttribute(semconv::error::kErrorType,
                    opentelemetry::nostd::string_view(error_type.data(), error_type.size()));
  span.SetStatus(opentelemetry::trace::StatusCode::kError,
                 opentelemetry::nostd::string_view(description.data(), description.size()));
}

void RecordException(opentelemetry::trace::Span& span, const std::exception& error,
                     const std::string& stacktrace) {
  const auto type = ExceptionTypeName(error);
  const std::string message = error.what();
  span.AddEvent("exception", {{semconv::exception::kExceptionType, type},
                              {semconv::exception::kExceptionMessage, message},
                              {semconv::exception::kExceptionStacktrace, stacktrace}});
  MarkError(span, type, message);
}

}  // namespace fabtrace::telemetry
