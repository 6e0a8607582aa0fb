// A service's settings from its environment, typed and validated: a bad value stops the
// service at start with a message naming the variable, never a crash or a silent default.
#pragma once

#include <spdlog/common.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

namespace fabtrace::service {

class SettingsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Settings {
 public:
  // Reads the process environment; tests pass their own lookup.
  using Lookup = std::function<std::optional<std::string>(const std::string& name)>;
  Settings();
  explicit Settings(Lookup lookup) : lookup_(std::move(lookup)) {}

  std::string String(const std::string& name, const std::string& fallback) const;
  std::string Required(const std::string& name) const;
  std::int64_t Int(const std::string& name, std::int64_t fallback, std::int64_t min,
                   std::int64_t max) const;
  int Port(const std::string& name, int fallback) const;
  std::chrono::milliseconds Millis(const std::string& name, std::int64_t fallback) const;
  bool Flag(const std::string& name, bool fallback) const;  // 1/0, true/false, yes/no, on/off
  // LOG_LEVEL: trace, debug, info (default), warn, error, critical or off.
  spdlog::level::level_enum LogLevel() const;

 private:
  std::optional<std::string> Get(const std::string& name) const;
  Lookup lookup_;
};

// The prefix of a service's own variables: "shop-api" -> "SHOP_API".
std::string EnvPrefix(const std::string& service_name);

}  // namespace fabtrace::service
