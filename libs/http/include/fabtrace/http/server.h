// The HTTP server every service runs (on cpp-httplib): routing, JSON bodies, size
// limits, a per-request deadline, a bounded worker pool with load shedding, graceful
// shutdown, /healthz, /readyz and /metrics. Its middleware traces every request the
// same way (see server_tracing.h), so handlers contain business code only.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "fabtrace/common/dependency_error.h"
#include "fabtrace/http/router.h"
#include "fabtrace/telemetry/export_stats.h"
#include "fabtrace/telemetry/fixed_attributes.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace fabtrace::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0 picks a free port
  int worker_threads = 16;
  // More requests in progress than this are answered 503 at once. Keep it below
  // worker_threads: the spare workers answer health checks and shed load quickly.
  int max_in_flight = 12;
  std::size_t max_body_bytes = 1 << 20;
  std::chrono::milliseconds request_timeout{10000};  // budget of one request
  std::chrono::seconds socket_timeout{10};           // reading a request, writing a response
  std::chrono::seconds keep_alive_timeout{5};
};

// The answer to a failed dependency: 504 `<dependency>_timeout` when it did not answer in
// time, 503 `<dependency>_unavailable` when it could not be reached, 502
// `<dependency>_error` when it refused the operation.
HttpError DependencyAnswer(const DependencyError& error);

class Server {
 public:
  Server(ServerOptions options, Router router);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // What /readyz reports; returns false and a reason when a dependency is unusable.
  void SetReadinessCheck(std::function<bool(std::string& reason)> check);
  // Turns exceptions of the service's own kinds into an HttpError; exceptions it leaves
  // alone (returns nothing) become 500. Dependency failures need no mapper.
  void SetExceptionMapper(std::function<std::optional<HttpError>(const std::exception&)> mapper) {
    exception_mapper_ = std::move(mapper);
  }
  // Export counters shown on /metrics.
  void SetExportStats(const telemetry::ExportStats* stats) { export_stats_ = stats; }

  // Binds and serves on a background thread; returns the port. Throws when the port
  // cannot be bound.
  int Start();
  // Stops gracefully: /readyz turns 503, then after `drain` no new connection is
  // accepted and the requests in progress finish.
  void Stop(std::chrono::milliseconds drain = std::chrono::milliseconds(0));
  // Blocks until SIGINT or SIGTERM, then stops gracefully.
  void RunUntilSignal(std::chrono::milliseconds drain);

  int port() const { return port_; }

 private:
  void Dispatch(const httplib::Request& in, httplib::Response& out);
  bool ServeOperational(const httplib::Request& in, httplib::Response& out);
  std::string MetricsText() const;

  ServerOptions options_;
  Router router_;
  std::unique_ptr<httplib::Server> server_;
  std::thread listener_;
  std::function<bool(std::string&)> readiness_;
  std::function<std::optional<HttpError>(const std::exception&)> exception_mapper_;
  const telemetry::ExportStats* export_stats_ = nullptr;
  std::atomic<bool> stopping_{false};
  std::atomic<int> in_flight_{0};
  std::atomic<std::uint64_t> responses_[6] = {};  // by status class: 0 unused, 1xx..5xx
  std::atomic<std::uint64_t> shed_{0};
  int port_ = 0;
  telemetry::FixedAttributes span_attributes_;  // of every server span: set by Start
};

}  // namespace fabtrace::http
