#include "fabtrace/telemetry/propagation.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "fabtrace/telemetry/active_span.h"
#include "opentelemetry/context/propagation/global_propagator.h"
#include "opentelemetry/context/propagation/text_map_propagator.h"
#include "opentelemetry/context/runtime_context.h"
#include "opentelemetry/trace/context.h"

namespace fabtrace::telemetry {
namespace {

constexpr std::size_t kMaxTracestateLength = 512;
constexpr std::size_t kMaxTracestateMembers = 32;
constexpr std::size_t kMaxBaggageLength = 8192;
constexpr std::size_t kMaxBaggageMembers = 180;

bool IsLowerHex(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool IsAllZero(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c == '0'; });
}

bool IsPrintableAscii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

std::size_t CountMembers(std::string_view text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), ',')) + 1;
}

// Hands the SDK only the headers that passed the checks.
class FilteredCarrier final : public opentelemetry::context::propagation::TextMapCarrier {
 public:
  explicit FilteredCarrier(const HeaderLookup& headers) {
    auto lookup = [&headers](std::string_view name) -> std::optional<std::string_view> {
      try {
        return headers(name);
      } catch (...) {
        return std::nullopt;
      }
    };
    const auto traceparent = lookup("traceparent");
    if (traceparent && IsValidTraceparent(*traceparent)) {
      traceparent_ = *traceparent;
      const auto tracestate = lookup("tracestate");
      if (tracestate && IsAcceptableTracestate(*tracestate)) tracestate_ = *tracestate;
    }
    const auto baggage = lookup("baggage");
    if (baggage && IsAcceptableBaggage(*baggage)) baggage_ = *baggage;
  }

  // No header passed the checks: there is nothing for the propagators to extract.
  bool Empty() const { return traceparent_.empty() && baggage_.empty(); }

  opentelemetry::nostd::string_view Get(
      opentelemetry::nostd::string_view key) const noexcept override {
    if (key == "traceparent") return {traceparent_.data(), traceparent_.size()};
    if (key == "tracestate") return {tracestate_.data(), tracestate_.size()};
    if (key == "baggage") return {baggage_.data(), baggage_.size()};
    return {};
  }

  void Set(opentelemetry::nostd::string_view, opentelemetry::nostd::string_view) noexcept override {
  }

 private:
  std::string_view traceparent_, tracestate_, baggage_;
};

class SettingCarrier final : public opentelemetry::context::propagation::TextMapCarrier {
 public:
  explicit SettingCarrier(const HeaderSetter& set) : set_(set) {}
  opentelemetry::nostd::string_view Get(opentelemetry::nostd::string_view) const noexcept override {
    return {};
  }
  void Set(opentelemetry::nostd::string_view key,
           opentelemetry::nostd::string_view value) noexcept override {
    try {
      set_({key.data(), key.size()}, {value.data(), value.size()});
    } catch (...) {
    }
  }

 private:
  const HeaderSetter& set_;
};

}  // namespace

bool IsValidTraceparent(std::string_view value) {
  // version "-" trace-id "-" parent-id "-" flags, lower-case hex, 55 characters for
  // version 00; later versions may append "-..." fields.
  if (value.size() < 55 || value[2] != '-' || value[35] != '-' || value[52] != '-') return false;
  const auto version = value.substr(0, 2);
  if (!IsLowerHex(version) || version == "ff") return false;
  if (version == "00" ? value.size() != 55 : (value.size() > 55 && value[55] != '-')) return false;
  const auto trace_id = value.substr(3, 32);
  const auto span_id = value.substr(36, 16);
  const auto flags = value.substr(53, 2);
  return IsLowerHex(trace_id) && IsLowerHex(span_id) && IsLowerHex(flags) && !IsAllZero(trace_id) &&
         !IsAllZero(span_id);
}

bool IsAcceptableTracestate(std::string_view value) {
  return value.size() <= kMaxTracestateLength && IsPrintableAscii(value) &&
         CountMembers(value) <= kMaxTracestateMembers;
}

bool IsAcceptableBaggage(std::string_view value) {
  return value.size() <= kMaxBaggageLength && IsPrintableAscii(value) &&
         CountMembers(value) <= kMaxBaggageMembers;
}

opentelemetry::context::Context ExtractContext(const HeaderLookup& headers,
                                               const opentelemetry::context::Context& base) {
  try {
    FilteredCarrier carrier(headers);
    if (carrier.Empty()) return base;  // most requests from outside: no propagator call
    auto propagator =
        opentelemetry::context::propagation::GlobalTextMapPropagator::GetGlobalPropagator();
    auto context = base;
    return propagator->Extract(carrier, context);
  } catch (...) {
    return base;
  }
}

opentelemetry::context::Context ExtractContext(const HeaderLookup& headers) {
  return ExtractContext(headers, opentelemetry::context::RuntimeContext::GetCurrent());
}

void InjectContext(const HeaderSetter& set, const opentelemetry::context::Context& context) {
  try {
    SettingCarrier carrier(set);
    opentelemetry::context::propagation::GlobalTextMapPropagator::GetGlobalPropagator()->Inject(
        carrier, context);
  } catch (...) {
  }
}

void InjectContext(const HeaderSetter& set) {
  InjectContext(set, opentelemetry::context::RuntimeContext::GetCurrent());
}

namespace {

// Each byte's two lowercase hex digits, found in one look-up (opentelemetry-cpp's
// ToLowerBase16 looks up each digit): these run for every traced request.
constexpr auto kHexPairs = [] {
  std::array<char, 512> pairs{};
  constexpr std::string_view digits = "0123456789abcdef";
  for (std::size_t byte = 0; byte < 256; ++byte) {
    pairs[2 * byte] = digits[byte >> 4];
    pairs[2 * byte + 1] = digits[byte & 15];
  }
  return pairs;
}();

template <std::size_t N>
char* PutHex(opentelemetry::nostd::span<const std::uint8_t, N> bytes, char* out) {
  for (const auto byte : bytes) {
    std::memcpy(out, &kHexPairs[2 * byte], 2);
    out += 2;
  }
  return out;
}

}  // namespace

bool AppendCurrentTraceparent(std::string& out) {
  const auto context = CurrentSpanContext();
  if (!context.IsValid()) return false;
  char buffer[55] = {'0', '0', '-'};
  PutHex(context.trace_id().Id(), buffer + 3);
  buffer[35] = '-';
  PutHex(context.span_id().Id(), buffer + 36);
  buffer[52] = '-';
  const std::uint8_t flags = context.trace_flags().flags();
  PutHex(opentelemetry::nostd::span<const std::uint8_t, 1>(&flags, 1), buffer + 53);
  out.append(buffer, sizeof buffer);
  return true;
}

std::string CurrentTraceparent() {
  std::string traceparent;
  AppendCurrentTraceparent(traceparent);
  return traceparent;
}

std::string CurrentTraceId() { return TraceIdOf(CurrentSpanContext()); }

std::string TraceIdOf(const opentelemetry::trace::SpanContext& context) {
  if (!context.IsValid()) return {};
  char buffer[32];
  PutHex(context.trace_id().Id(), buffer);
  return {buffer, sizeof buffer};
}

}  // namespace fabtrace::telemetry
