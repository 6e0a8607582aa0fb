// The time budget of the request being served on this thread. The HTTP server sets it
// for each request; the database, S3, Kafka and HTTP clients shorten their own timeouts
// to what is left of it, so a request answers within its budget even when a
// dependency hangs.
#pragma once

#include <algorithm>
#include <chrono>
#include <optional>

namespace fabtrace {

class Deadline {
 public:
  using Clock = std::chrono::steady_clock;

  // The deadline of the current thread's request, if one is set.
  static std::optional<Clock::time_point> Current() { return slot(); }

  // `timeout`, shortened to the time left of the current request (never below 1 ms, so
  // the call still fails by itself instead of blocking).
  static std::chrono::milliseconds Cap(std::chrono::milliseconds timeout) {
    const auto deadline = slot();
    if (!deadline) return timeout;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - Clock::now());
    return std::max(std::chrono::milliseconds(1), std::min(timeout, left));
  }

  // Sets the current thread's deadline while the scope lives.
  class Scope {
   public:
    explicit Scope(Clock::time_point deadline) : previous_(slot()) { slot() = deadline; }
    ~Scope() { slot() = previous_; }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    std::optional<Clock::time_point> previous_;
  };

 private:
  static std::optional<Clock::time_point>& slot() {
    thread_local std::optional<Clock::time_point> deadline;
    return deadline;
  }
};

}  // namespace fabtrace
