// opentelemetry-cpp's own diagnostics (e.g. "export failed") routed to spdlog,
// rate-limited per message kind. Part of the SDK set-up.
#include "sdk_logging.h"

#include <spdlog/spdlog.h>

#include <map>
#include <memory>
#include <mutex>

#include "fabtrace/telemetry/rate_limiter.h"
#include "opentelemetry/sdk/common/global_log_handler.h"

namespace fabtrace::telemetry {
namespace {

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

void RouteSdkLogsToSpdlog() {
  using opentelemetry::sdk::common::internal_log::GlobalLogHandler;
  GlobalLogHandler::SetLogHandler(
      opentelemetry::nostd::shared_ptr<opentelemetry::sdk::common::internal_log::LogHandler>(
          new SpdlogHandler()));
  GlobalLogHandler::SetLogLevel(opentelemetry::sdk::common::internal_log::LogLevel::Warning);
}

}  // namespace fabtrace::telemetry
