#include "fabtrace/http/server.h"

#include <httplib.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <sstream>
#include <utility>

#include "fabtrace/common/deadline.h"
#include "fabtrace/http/server_tracing.h"
#include "fabtrace/telemetry/span_errors.h"

namespace fabtrace::http {
namespace {

Request ToRequest(const httplib::Request& in) {
  Request request;
  request.method = in.method;
  request.path = in.path;
  for (const auto& [name, value] : in.params) request.query.emplace(name, value);
  for (const auto& [name, value] : in.headers) request.headers.emplace(name, value);
  request.body = in.body;
  request.client_address = in.remote_addr;
  return request;
}

// Moves the support code into cpp-httplib's headers (no copy of it is made on its way).
void WriteResponse(Response& response, httplib::Response& out) {
  out.status = response.status;
  for (const auto& [name, value] : response.headers) out.set_header(name, value);
  // The support code is hex digits only, so it skips set_header's checks for line breaks.
  if (!response.support_code.empty()) {
    out.headers.emplace("X-Support-Code", std::move(response.support_code));
  }
  if (response.status != 204) out.set_content(response.body, response.content_type.c_str());
}

Response ErrorResponse(int status, std::string_view code, std::string_view message,
                       const std::string& support_code) {
  return Response::Json(status, ErrorBody(code, message, support_code));
}

// One request in progress; counts toward the load-shedding limit.
class InFlight {
 public:
  explicit InFlight(std::atomic<int>& counter) : counter_(counter), value_(++counter) {}
  ~InFlight() { --counter_; }
  int value() const { return value_; }

 private:
  std::atomic<int>& counter_;
  int value_;
};

}  // namespace

HttpError DependencyAnswer(const DependencyError& error) {
  const auto& name = error.dependency();
  switch (error.kind()) {
    case DependencyError::Kind::kTimeout:
      return HttpError(504, name + "_timeout", "the " + name + " did not answer in time");
    case DependencyError::Kind::kUnavailable:
      return HttpError(503, name + "_unavailable", "the " + name + " is unavailable");
    case DependencyError::Kind::kRefused:
      break;
  }
  return HttpError(502, name + "_error", "the " + name + " refused the operation");
}

Server::Server(ServerOptions options, Router router)
    : options_(std::move(options)),
      router_(std::move(router)),
      server_(std::make_unique<httplib::Server>()) {
  const int threads = options_.worker_threads;
  server_->new_task_queue = [threads] {
    return new httplib::ThreadPool(static_cast<std::size_t>(threads));
  };
  server_->set_payload_max_length(options_.max_body_bytes);
  server_->set_read_timeout(options_.socket_timeout.count(), 0);
  server_->set_write_timeout(options_.socket_timeout.count(), 0);
  server_->set_keep_alive_timeout(options_.keep_alive_timeout.count());
  // Headers and body go out in separate writes: without this, Nagle and delayed ACKs
  // hold every response back by about 40 ms.
  server_->set_tcp_nodelay(true);
  auto dispatch = [this](const httplib::Request& in, httplib::Response& out) { Dispatch(in, out); };
  server_->Get(".*", dispatch);
  server_->Post(".*", dispatch);
  server_->Put(".*", dispatch);
  server_->Patch(".*", dispatch);
  server_->Delete(".*", dispatch);
  server_->Options(".*", dispatch);
  // Errors that cpp-httplib answers by itself (oversized or malformed requests).
  server_->set_error_handler([](const httplib::Request&, httplib::Response& out) {
    if (!out.body.empty()) return;
    const bool too_large = out.status == 413;
    out.set_content(ErrorBody(too_large ? "payload_too_large" : "bad_request",
                              too_large ? "the request body is too large" : "malformed request", "")
                        .dump(),
                    "application/json");
  });
}

Server::~Server() { Stop(); }

void Server::SetReadinessCheck(std::function<bool(std::string&)> check) {
  readiness_ = std::move(check);
}

int Server::Start() {
  port_ = options_.port == 0
              ? server_->bind_to_any_port(options_.host)
              : (server_->bind_to_port(options_.host, options_.port) ? options_.port : -1);
  if (port_ <= 0)
    throw std::runtime_error("cannot listen on " + options_.host + ":" +
                             std::to_string(options_.port));
  span_attributes_ = ServerSpan::FixedAttributesOf(port_);  // before the first request
  listener_ = std::thread([this] { server_->listen_after_bind(); });
  // stop() is ignored by cpp-httplib until its accept loop runs: wait for it.
  while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  spdlog::info("listening on http://{}:{} ({} workers, at most {} requests in flight)",
               options_.host, port_, options_.worker_threads, options_.max_in_flight);
  return port_;
}

void Server::Stop(std::chrono::milliseconds drain) {
  if (stopping_.exchange(true)) return;
  if (!listener_.joinable()) return;
  spdlog::info("stopping: not ready any more, draining for {} ms", drain.count());
  std::this_thread::sleep_for(drain);
  server_->stop();
  listener_.join();
  spdlog::info("stopped");
}

void Server::RunUntilSignal(std::chrono::milliseconds drain) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  int received = 0;
  sigwait(&signals, &received);
  spdlog::info("received signal {}", received);
  Stop(drain);
}

bool Server::ServeOperational(const httplib::Request& in, httplib::Response& out) {
  if (in.path == "/healthz") {
    out.set_content(R"({"status":"alive"})", "application/json");
    return true;
  }
  if (in.path == "/readyz") {
    std::string reason;
    const bool ready = !stopping_ && (!readiness_ || readiness_(reason));
    if (stopping_) reason = "shutting down";
    out.status = ready ? 200 : 503;
    out.set_content(
        nlohmann::json{{"status", ready ? "ready" : "not ready"}, {"reason", reason}}.dump(),
        "application/json");
    return true;
  }
  if (in.path == "/metrics") {
    out.set_content(MetricsText(), "text/plain; version=0.0.4");
    return true;
  }
  return false;
}

void Server::Dispatch(const httplib::Request& in, httplib::Response& out) {
  if (ServeOperational(in, out)) return;
  const InFlight in_flight(in_flight_);
  Request request = ToRequest(in);
  const auto match = router_.Find(request.method, request.path);
  if (match) {
    request.route = match->route;
    request.path_params = match->params;
  }
  ServerSpan span(request, request.route, span_attributes_);
  const Deadline::Scope deadline(Deadline::Clock::now() + options_.request_timeout);
  Response response;
  try {
    if (in_flight.value() > options_.max_in_flight) {
      ++shed_;
      response =
          ErrorResponse(503, "overloaded", "the service is busy, retry shortly", span.trace_id());
      response.headers.emplace("Retry-After", "1");
    } else if (!match) {
      throw HttpError(404, "not_found", "no such resource: " + request.path);
    } else if (!match->handler) {
      std::string allowed;
      for (const auto& method : match->allowed_methods)
        allowed += (allowed.empty() ? "" : ", ") + method;
      response = ErrorResponse(405, "method_not_allowed", request.method + " is not allowed here",
                               span.trace_id());
      response.headers.emplace("Allow", allowed);
    } else {
      response = (*match->handler)(request);
    }
  } catch (const HttpError& error) {
    response = ErrorResponse(error.status(), error.code(), error.what(), span.trace_id());
    if (error.status() >= 500) span.RecordException(error);
  } catch (const DependencyError& error) {
    span.RecordException(error);
    const auto answer = DependencyAnswer(error);
    response = ErrorResponse(answer.status(), answer.code(), answer.what(), span.trace_id());
    spdlog::error("{} {} failed: {} {}: {}", request.method,
                  request.route.empty() ? request.path : request.route, error.dependency(),
                  error.error_type(), error.what());
  } catch (const std::exception& error) {
    span.RecordException(error);
    if (auto mapped = exception_mapper_ ? exception_mapper_(error) : std::nullopt) {
      response = ErrorResponse(mapped->status(), mapped->code(), mapped->what(), span.trace_id());
    } else {
      response = ErrorResponse(500, "internal_error", "internal error", span.trace_id());
    }
    spdlog::error("{} {} failed: {}: {}", request.method,
                  request.route.empty() ? request.path : request.route,
                  telemetry::ExceptionTypeName(error), error.what());
  }
  span.Finish(response);
  const int status_class = std::clamp(response.status / 100, 1, 5);
  ++responses_[status_class];
  if (response.status >= 500) {
    spdlog::warn("{} {} -> {}", request.method, request.path, response.status);
  } else {
    spdlog::debug("{} {} -> {}", request.method, request.path, response.status);
  }
  WriteResponse(response, out);
}

std::string Server::MetricsText() const {
  std::ostringstream text;
  text << "# TYPE fabtrace_http_responses_total counter\n";
  for (int i = 1; i <= 5; ++i) {
    text << "fabtrace_http_responses_total{status_class=\"" << i << "xx\"} " << responses_[i].load()
         << "\n";
  }
  text << "# TYPE fabtrace_http_requests_shed_total counter\nfabtrace_http_requests_shed_total "
       << shed_.load() << "\n# TYPE fabtrace_http_in_flight gauge\nfabtrace_http_in_flight "
       << in_flight_.load() << "\n";
  if (export_stats_) {
    const auto stats = export_stats_->Read();
    text << "# TYPE fabtrace_spans_exported_total counter\nfabtrace_spans_exported_total "
         << stats.exported
         << "\n# TYPE fabtrace_spans_failed_total counter\nfabtrace_spans_failed_total "
         << stats.failed
         << "\n# TYPE fabtrace_spans_dropped_total counter\nfabtrace_spans_dropped_total "
         << stats.dropped << "\n# TYPE fabtrace_spans_pending gauge\nfabtrace_spans_pending "
         << stats.pending
         << "\n# TYPE fabtrace_spans_retried_total counter\nfabtrace_spans_retried_total "
         << stats.retried << "\n";
  }
  return text.str();
}

}  // namespace fabtrace::http
