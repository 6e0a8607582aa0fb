#include "fabtrace/telemetry/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>

#include "fabtrace/telemetry/rate_limiter.h"
#include "opentelemetry/context/runtime_context.h"
#include "opentelemetry/sdk/common/global_log_handler.h"
#include "opentelemetry/trace/context.h"

namespace fabtrace::telemetry {
namespace {

// %* in the pattern: "trace_id=<32 hex> span_id=<16 hex>" or nothing outside a span.
class TraceContextFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg&, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    const auto context =
        opentelemetry::trace::GetSpan(opentelemetry::context::RuntimeContext::GetCurrent())
            ->GetContext();
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

class SpdlogHandler final : public opentelemetry::sdk::common::internal_log::LogHandler {
 public:
  void Handle(opentelemetry::sdk::common::internal_log::LogLevel level, const char* file, int line,
              const char* msg, const opentelemetry::sdk::common::AttributeMap&) noexcept override {
    using opentelemetry::sdk::common::internal_log::LogLevel;
    try {
      RateLimiter* limiter;
      {
        std::lock_guard lock(mutex_);
        auto& slot = limiters_[std::string(file ? file : "") + ":" + std::to_string(line)];
        if (!slot) slot = std::make_unique<RateLimiter>(std::chrono::seconds(30));
        limiter = slot.get();
      }
      auto suppressed = limiter->Allow();
      if (!suppressed) return;
      const auto spd_level = level == LogLevel::Error     ? spdlog::level::err
                             : level == LogLevel::Warning ? spdlog::level::warn
                             : level == LogLevel::Info    ? spdlog::level::info
                                                          : spdlog::level::debug;
      spdlog::log(spd_level, "opentelemetry-cpp: {} ({} similar suppressed)", msg ? msg : "",
                  *suppressed);
    } catch (...) {
      // Diagnostics must never take the process down.
    }
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<RateLimiter>> limiters_;
};

}  // namespace

void SetUpLogging(const std::string& service_name) {
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<TraceContextFlag>('*').set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %l " +
                                                         service_name + "%* %v");
  spdlog::set_formatter(std::move(formatter));
  const char* level = std::getenv("LOG_LEVEL");
  spdlog::set_level(level ? spdlog::level::from_str(level) : spdlog::level::info);
  spdlog::flush_on(spdlog::level::warn);
}

void RouteSdkLogsToSpdlog() {
  using opentelemetry::sdk::common::internal_log::GlobalLogHandler;
  GlobalLogHandler::SetLogHandler(
      opentelemetry::nostd::shared_ptr<opentelemetry::sdk::common::internal_log::LogHandler>(
          new SpdlogHandler()));
  GlobalLogHandler::SetLogLevel(opentelemetry::sdk::common::internal_log::LogLevel::Warning);
}

}  // namespace fabtrace::telemetry
