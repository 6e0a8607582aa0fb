// Lets one event through per interval and counts the ones it held back, so a
// failure that repeats on every request is logged once in a while, with its count.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>

namespace fabtrace::telemetry {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  explicit RateLimiter(Clock::duration interval) : interval_(interval) {}

  // Returns the number of events suppressed since the last one let through when this
  // event may be logged, nothing when it must be suppressed.
  std::optional<std::uint64_t> Allow(Clock::time_point now = Clock::now()) {
    std::lock_guard lock(mutex_);
    if (last_ && now - *last_ < interval_) {
      ++suppressed_;
      return std::nullopt;
    }
    last_ = now;
    const auto suppressed = suppressed_;
    suppressed_ = 0;
    return suppressed;
  }

 private:
  std::mutex mutex_;
  Clock::duration interval_;
  std::optional<Clock::time_point> last_;
  std::uint64_t suppressed_ = 0;
};

}  // namespace fabtrace::telemetry
