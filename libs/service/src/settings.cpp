#include "fabtrace/service/settings.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <string_view>
#include <utility>

namespace fabtrace::service {
namespace {

[[noreturn]] void Bad(const std::string& name, const std::string& value, const std::string& what) {
  // Secrets are settings too: a value is quoted only when it is short and harmless.
  const bool show = value.size() <= 40 && name.find("PASSWORD") == std::string::npos &&
                    name.find("SECRET") == std::string::npos &&
                    name.find("KEY") == std::string::npos;
  throw SettingsError(name + ": " + (show ? "'" + value + "' " : std::string("the value ")) +
                      "is not " + what);
}

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

}  // namespace

Settings::Settings()
    : lookup_([](const std::string& name) -> std::optional<std::string> {
        const char* value = std::getenv(name.c_str());
        if (value == nullptr || *value == '\0') return std::nullopt;
        return std::string(value);
      }) {}

std::optional<std::string> Settings::Get(const std::string& name) const { return lookup_(name); }

std::string Settings::String(const std::string& name, const std::string& fallback) const {
  return Get(name).value_or(fallback);
}

std::string Settings::Required(const std::string& name) const {
  auto value = Get(name);
  if (!value) throw SettingsError(name + " must be set");
  return *value;
}

std::int64_t Settings::Int(const std::string& name, std::int64_t fallback, std::int64_t min,
                           std::int64_t max) const {
  const auto text = Get(name);
  if (!text) return fallback;
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc() || end != text->data() + text->size() || value < min || value > max) {
    Bad(name, *text, "an integer from " + std::to_string(min) + " to " + std::to_string(max));
  }
  return value;
}

int Settings::Port(const std::string& name, int fallback) const {
  return static_cast<int>(Int(name, fallback, 1, 65535));
}

std::chrono::milliseconds Settings::Millis(const std::string& name, std::int64_t fallback) const {
  return std::chrono::milliseconds(Int(name, fallback, 1, 3'600'000));
}

bool Settings::Flag(const std::string& name, bool fallback) const {
  const auto text = Get(name);
  if (!text) return fallback;
  const auto value = Lower(*text);
  if (value == "1" || value == "true" || value == "yes" || value == "on") return true;
  if (value == "0" || value == "false" || value == "no" || value == "off") return false;
  Bad(name, *text, "a switch (1/0, true/false, yes/no, on/off)");
}

spdlog::level::level_enum Settings::LogLevel() const {
  const auto text = Get("LOG_LEVEL");
  if (!text) return spdlog::level::info;
  const auto value = Lower(*text);
  // The names the error message offers, and the spellings people also use.
  static constexpr std::pair<std::string_view, spdlog::level::level_enum> kNames[] = {
      {"trace", spdlog::level::trace},  {"debug", spdlog::level::debug},
      {"info", spdlog::level::info},    {"warn", spdlog::level::warn},
      {"warning", spdlog::level::warn}, {"error", spdlog::level::err},
      {"err", spdlog::level::err},      {"critical", spdlog::level::critical},
      {"off", spdlog::level::off}};
  for (const auto& [name, level] : kNames) {
    if (value == name) return level;
  }
  Bad("LOG_LEVEL", *text, "one of trace, debug, info, warn, error, critical, off");
}

std::string EnvPrefix(const std::string& service_name) {
  std::string prefix;
  for (const char c : service_name) {
    prefix.push_back(std::isalnum(static_cast<unsigned char>(c))
                         ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
                         : '_');
  }
  return prefix;
}

}  // namespace fabtrace::service
