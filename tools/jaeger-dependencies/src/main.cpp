// jaeger-dependencies: fills Jaeger's dependencies index on OpenSearch from the service
// graph in Prometheus, every JAEGER_DEPENDENCIES_INTERVAL_S seconds (default 60), so the
// System Architecture view shows today's edges. Stops cleanly on SIGTERM/SIGINT.
// `jaeger-dependencies --once` does one round and exits 0, or 1 when it failed (for a
// Kubernetes CronJob).
//
// Settings (environment): PROMETHEUS_URL, OPENSEARCH_URL, OPENSEARCH_CA_FILE,
// OPENSEARCH_USER and OPENSEARCH_PASSWORD_FILE (basic authentication when the file is
// given), JAEGER_INDEX_PREFIX (default "fabtrace"),
// JAEGER_DEPENDENCIES_INTERVAL_S, LOG_LEVEL.
#include <spdlog/spdlog.h>

#include <cctype>
#include <csignal>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

#include "dependency_links.h"
#include "fabtrace/http/transfer.h"
#include "fabtrace/service/settings.h"

namespace {

using fabtrace::http::Perform;
using fabtrace::http::TransferRequest;
using fabtrace::http::TransferResult;
namespace deps = fabtrace::dependencies;

struct Config {
  std::string prometheus_url;
  std::string opensearch_url;
  std::string ca_file;
  std::string basic_auth;
  std::string index_prefix;
  std::chrono::seconds interval;
};

std::string ReadSecret(const std::string& path) {
  std::ifstream file(path);
  if (!file) throw fabtrace::service::SettingsError("cannot read the password file " + path);
  std::stringstream text;
  text << file.rdbuf();
  auto secret = text.str();
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  return secret;
}

Config LoadConfig() {
  const fabtrace::service::Settings settings;
  spdlog::set_level(settings.LogLevel());
  Config config;
  config.prometheus_url = settings.Required("PROMETHEUS_URL");
  config.opensearch_url = settings.Required("OPENSEARCH_URL");
  config.ca_file = settings.String("OPENSEARCH_CA_FILE", "");
  if (const auto file = settings.String("OPENSEARCH_PASSWORD_FILE", ""); !file.empty())
    config.basic_auth = settings.String("OPENSEARCH_USER", "jaeger") + ":" + ReadSecret(file);
  config.index_prefix = settings.String("JAEGER_INDEX_PREFIX", "fabtrace");
  config.interval =
      std::chrono::seconds(settings.Int("JAEGER_DEPENDENCIES_INTERVAL_S", 60, 5, 3600));
  return config;
}

std::string UrlEncode(const std::string& text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

void Require(const TransferResult& result, const std::string& what) {
  if (result.ok()) return;
  throw std::runtime_error(
      what + ": " +
      (result.status ? "HTTP " + std::to_string(result.status) + " " + result.body.substr(0, 300)
                     : result.error_type + " (" + result.error_message + ")"));
}

// The calls per pair of services of the day up to `at` (Prometheus evaluated at `at`)
// into the day's document, stamped `stamp`. Returns the edge count.
std::size_t WriteDay(const Config& config, deps::Clock::time_point at,
                     deps::Clock::time_point stamp) {
  TransferRequest query;
  query.url = config.prometheus_url +
              "/api/v1/query?query=" + UrlEncode(deps::CallsQuery(deps::SinceStartOfDay(at))) +
              "&time=" + std::to_string(deps::Clock::to_time_t(at));
  const auto answer = Perform(query);
  Require(answer, "Prometheus query");
  const auto links = deps::LinksFromPrometheus(nlohmann::json::parse(answer.body));

  const auto day = deps::DayOf(at);
  TransferRequest write;
  write.method = "PUT";
  write.url = config.opensearch_url + "/" + config.index_prefix + "-jaeger-dependencies-" + day +
              "/_doc/" + day;
  write.headers = {{"Content-Type", "application/json"}};
  write.body = deps::DependenciesDocument(deps::Rfc3339(stamp), links).dump();
  write.basic_auth = config.basic_auth;
  write.ca_file = config.ca_file;
  Require(Perform(write), "OpenSearch write of " + day);
  return links.size();
}

// Today's document, stamped now.
std::size_t WriteToday(const Config& config) {
  const auto now = deps::Clock::now();
  return WriteDay(config, now, now);
}

// Yesterday's document, final: its whole day's calls, stamped with the day's start.
void FinishYesterday(const Config& config) {
  const auto today = std::chrono::floor<std::chrono::days>(deps::Clock::now());
  WriteDay(config, today - std::chrono::seconds(1), today - std::chrono::days(1));
}

volatile std::sig_atomic_t stop_requested = 0;

}  // namespace

int main(int argc, char** argv) {
  const bool once = argc == 2 && std::string(argv[1]) == "--once";
  if (argc > 1 && !once) {
    spdlog::critical("usage: jaeger-dependencies [--once]");
    return 2;
  }
  Config config;
  try {
    config = LoadConfig();
  } catch (const std::exception& error) {
    spdlog::critical("jaeger-dependencies: {}", error.what());
    return 2;
  }
  // A signal only sets the flag; the loop below wakes at least once a second to see it.
  std::signal(SIGTERM, [](int) { stop_requested = 1; });
  std::signal(SIGINT, [](int) { stop_requested = 1; });
  if (once) {
    try {
      FinishYesterday(config);
      spdlog::info("jaeger-dependencies: today's document has {} edges", WriteToday(config));
      return 0;
    } catch (const std::exception& error) {
      spdlog::error("jaeger-dependencies: {}", error.what());
      return 1;
    }
  }
  spdlog::info(
      "jaeger-dependencies: every {} s, service graph from {} into {}-jaeger-dependencies-*",
      config.interval.count(), config.prometheus_url, config.index_prefix);
  std::size_t last_edges = static_cast<std::size_t>(-1);
  std::string finished_for;  // the day whose previous day's document was last finished
  while (!stop_requested) {
    try {
      if (const auto today = deps::DayOf(deps::Clock::now()); today != finished_for) {
        FinishYesterday(config);
        finished_for = today;
      }
      const auto edges = WriteToday(config);
      if (edges != last_edges)
        spdlog::info("jaeger-dependencies: today's document has {} edges", edges);
      last_edges = edges;
    } catch (const std::exception& error) {
      spdlog::warn("jaeger-dependencies: round skipped, next in {} s: {}", config.interval.count(),
                   error.what());
    }
    for (auto waited = std::chrono::seconds(0); waited < config.interval && !stop_requested;
         waited += std::chrono::seconds(1))
      std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  spdlog::info("jaeger-dependencies: stopped");
  return 0;
}
