#include "dependency_links.h"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <stdexcept>
#include <tuple>

namespace fabtrace::dependencies {

std::string CallsQuery(std::chrono::seconds window) {
  // increase() counts a series from its first sample on, so a pair first seen within the
  // window (a counter born at 1 that stays there) would count 0: such a series (one that
  // did not exist at the window's start) counts with its whole value instead.
  const std::string counter = "traces_service_graph_request_total";
  const std::string range = std::to_string(window.count()) + "s";
  return "sum by (client, server) ((increase(" + counter + "[" + range + "]) and " + counter +
         " offset " + range + ") or " + counter + ")";
}

std::chrono::seconds SinceStartOfDay(Clock::time_point now) {
  const auto midnight = std::chrono::floor<std::chrono::days>(now);
  const auto since = std::chrono::duration_cast<std::chrono::seconds>(now - midnight);
  return std::max(since, std::chrono::seconds(60));
}

namespace {

// `now` in UTC, formatted by strftime's `format`.
std::string FormatUtc(Clock::time_point now, const char* format) {
  const std::time_t seconds = Clock::to_time_t(now);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, format, &utc);
  return text;
}

}  // namespace

std::string DayOf(Clock::time_point now) { return FormatUtc(now, "%Y-%m-%d"); }

nlohmann::json LinksFromPrometheus(const nlohmann::json& answer) {
  if (!answer.is_object() || answer.value("status", "") != "success" || !answer.contains("data") ||
      !answer["data"].is_object() || answer["data"].value("resultType", "") != "vector" ||
      !answer["data"]["result"].is_array())
    throw std::invalid_argument("not a successful Prometheus instant-vector answer");
  auto links = nlohmann::json::array();
  for (const auto& sample : answer["data"]["result"]) {
    const auto& metric = sample.at("metric");
    const auto parent = metric.value("client", "");
    const auto child = metric.value("server", "");
    const auto& value = sample.at("value");
    if (!value.is_array() || value.size() != 2 || !value[1].is_string())
      throw std::invalid_argument("a sample without [time, \"value\"]");
    const double count = std::stod(value[1].get<std::string>());
    if (parent.empty() || child.empty() || parent == child || !std::isfinite(count)) continue;
    const auto calls = static_cast<std::uint64_t>(std::llround(std::max(count, 0.0)));
    if (calls == 0) continue;
    links.push_back({{"parent", parent}, {"child", child}, {"callCount", calls}});
  }
  std::sort(links.begin(), links.end(), [](const auto& a, const auto& b) {
    return std::tie(a["parent"], a["child"]) < std::tie(b["parent"], b["child"]);
  });
  return links;
}

nlohmann::json DependenciesDocument(const std::string& timestamp, const nlohmann::json& links) {
  return {{"timestamp", timestamp}, {"dependencies", links}};
}

std::string Rfc3339(Clock::time_point now) { return FormatUtc(now, "%Y-%m-%dT%H:%M:%SZ"); }

}  // namespace fabtrace::dependencies
