#include "fabtrace/telemetry/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>

#include "fabtrace/telemetry/active_span.h"

namespace fabtrace::telemetry {
namespace {

// %* in the pattern: "trace_id=<32 hex> span_id=<16 hex>" or nothing outside a span.
class TraceContextFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg&, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    const auto context = CurrentSpanContext();
    if (!context.IsValid()) return;
    char trace_id[32];
    char span_id[16];
    context.trace_id().ToLowerBase16(trace_id);
    context.span_id().ToLowerBase16(span_id);
    static constexpr std::string_view kTrace = " trace_id=";
    static constexpr std::string_view kSpan = " span_id=";
    dest.append(kTrace.data(), kTrace.data() + kTrace.size());
    dest.append(trace_id, trace_id + sizeof trace_id);
    dest.append(kSpan.data(), kSpan.data() + kSpan.size());
    dest.append(span_id, span_id + sizeof span_id);
  }

  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<TraceContextFlag>();
  }
};

}  // namespace

void SetUpLogging(const std::string& service_name, spdlog::level::level_enum level) {
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<TraceContextFlag>('*').set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %l " +
                                                         service_name + "%* %v");
  spdlog::set_formatter(std::move(formatter));
  spdlog::set_level(level);
  spdlog::flush_on(spdlog::level::warn);
}

}  // namespace fabtrace::telemetry
