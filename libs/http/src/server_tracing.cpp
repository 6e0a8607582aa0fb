#include "fabtrace/http/server_tracing.h"

#include <algorithm>
#include <array>
#include <string_view>
#include <utility>

#include "fabtrace/telemetry/propagation.h"
#include "fabtrace/telemetry/span_errors.h"
#include "fabtrace/telemetry/start_attributes.h"
#include "fabtrace/telemetry/tracer.h"
#include "opentelemetry/semconv/client_attributes.h"
#include "opentelemetry/semconv/incubating/http_attributes.h"
#include "opentelemetry/semconv/network_attributes.h"
#include "opentelemetry/semconv/server_attributes.h"
#include "opentelemetry/semconv/url_attributes.h"
#include "opentelemetry/semconv/user_agent_attributes.h"
#include "opentelemetry/trace/context.h"
#include "opentelemetry/trace/span_context_kv_iterable.h"

namespace trace = opentelemetry::trace;

namespace fabtrace::http {

namespace semconv = opentelemetry::semconv;
namespace {

constexpr std::array<std::string_view, 9> kKnownMethods = {
    "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"};

bool IsKnownMethod(std::string_view method) {
  for (auto known : kKnownMethods) {
    if (known == method) return true;
  }
  return false;
}

// "host:port" of the Host header, without the port.
std::string HostName(const Request& request) {
  auto host = std::string(request.header("host").value_or(""));
  if (!host.empty() && host.front() == '[') return host.substr(0, host.find(']') + 1);
  return host.substr(0, host.find(':'));
}

}  // namespace

telemetry::FixedAttributes ServerSpan::FixedAttributesOf(int port) {
  return telemetry::FixedAttributes({{semconv::url::kUrlScheme, "http"},
                                     {semconv::network::kNetworkProtocolVersion, "1.1"},
                                     {semconv::server::kServerPort, std::int64_t{port}}});
}

ServerSpan::ServerSpan(const Request& request, const std::string& route,
                       const telemetry::FixedAttributes& server) {
  const auto parent =
      telemetry::ExtractContext([&request](std::string_view name) { return request.header(name); });
  trace::StartSpanOptions options;
  options.kind = trace::SpanKind::kServer;
  options.parent = parent;  // its span, or none: a new trace
  const bool known = IsKnownMethod(request.method);
  const std::string method = known ? request.method : "_OTHER";
  const std::string name = route.empty() ? (known ? request.method : std::string("HTTP"))
                                         : (known ? request.method : "HTTP") + " " + route;
  // The values must outlive StartSpan only (the SDK copies them).
  const auto host = HostName(request);
  telemetry::StartAttributes attributes;
  attributes.Add(semconv::http::kHttpRequestMethod, method);
  if (!known) attributes.Add(semconv::http::kHttpRequestMethodOriginal, request.method);
  if (!route.empty()) attributes.Add(semconv::http::kHttpRoute, route);
  attributes.Add(semconv::url::kUrlPath, request.path);
  if (!host.empty()) attributes.Add(semconv::server::kServerAddress, host);
  attributes.Add(server);
  if (!request.client_address.empty()) {
    attributes.Add(semconv::client::kClientAddress, request.client_address);
  }
  if (auto agent = request.header("user-agent")) {
    attributes.Add(semconv::user_agent::kUserAgentOriginal,
                   opentelemetry::nostd::string_view(agent->data(),
                                                     std::min<std::size_t>(agent->size(), 256)));
  }
  if (!request.body.empty()) {
    attributes.Add(semconv::http::kHttpRequestBodySize, static_cast<int64_t>(request.body.size()));
  }
  span_ =
      telemetry::GetTracer("http")->StartSpan(name, attributes, trace::NullSpanContext(), options);
  active_.emplace(span_);
  trace_id_ = telemetry::TraceIdOf(span_->GetContext());
}

ServerSpan::~ServerSpan() {
  active_.reset();
  span_->End();
}

void ServerSpan::RecordException(const std::exception& error) {
  telemetry::RecordException(*span_, error);
  exception_recorded_ = true;
}

void ServerSpan::Finish(Response& response) {
  span_->SetAttribute(semconv::http::kHttpResponseStatusCode,
                      static_cast<int64_t>(response.status));
  span_->SetAttribute(semconv::http::kHttpResponseBodySize,
                      static_cast<int64_t>(response.body.size()));
  if (response.status >= 500 && !exception_recorded_) {
    telemetry::MarkError(*span_, std::to_string(response.status),
                         "HTTP " + std::to_string(response.status));
  }
  response.support_code = std::move(trace_id_);  // the span's last use of it
}

}  // namespace fabtrace::http
