#include "fabtrace/http/client.h"

#include <curl/curl.h>

#include <memory>

#include "fabtrace/common/deadline.h"
#include "fabtrace/http/transfer.h"
#include "fabtrace/telemetry/active_span.h"
#include "fabtrace/telemetry/propagation.h"
#include "fabtrace/telemetry/span_errors.h"
#include "fabtrace/telemetry/tracer.h"
#include "opentelemetry/semconv/http_attributes.h"
#include "opentelemetry/semconv/incubating/url_attributes.h"
#include "opentelemetry/semconv/server_attributes.h"

namespace trace = opentelemetry::trace;

namespace fabtrace::http {

namespace semconv = opentelemetry::semconv;

ClientResponse Client::Send(const std::string& method, const std::string& url,
                            const std::string& body, const Headers& headers,
                            const std::string& url_template) const {
  trace::StartSpanOptions span_options;
  span_options.kind = trace::SpanKind::kClient;
  auto span = telemetry::GetTracer("http")->StartSpan(
      url_template.empty() ? method : method + " " + url_template, span_options);
  telemetry::ActiveSpan active(span);
  span->SetAttribute(semconv::http::kHttpRequestMethod, method);
  span->SetAttribute(semconv::url::kUrlFull, url);
  if (!url_template.empty()) span->SetAttribute(semconv::url::kUrlTemplate, url_template);
  CURLU* parsed = curl_url();
  if (curl_url_set(parsed, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK) {
    char* host = nullptr;
    char* port = nullptr;
    if (curl_url_get(parsed, CURLUPART_HOST, &host, 0) == CURLUE_OK)
      span->SetAttribute(semconv::server::kServerAddress, host);
    if (curl_url_get(parsed, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
      span->SetAttribute(semconv::server::kServerPort, static_cast<int64_t>(std::atoi(port)));
    }
    curl_free(host);
    curl_free(port);
  }
  curl_url_cleanup(parsed);

  TransferRequest request;
  request.method = method;
  request.url = url;
  request.body = body;
  request.headers = headers;
  telemetry::InjectContext([&request](std::string_view name, std::string_view value) {
    request.headers.emplace(std::string(name), std::string(value));
  });
  request.timeout = Deadline::Cap(options_.request_timeout);
  request.connect_timeout = options_.connect_timeout;

  auto result = Perform(request);
  if (result.status == 0) {
    telemetry::MarkError(*span, result.error_type, result.error_message);
  } else {
    span->SetAttribute(semconv::http::kHttpResponseStatusCode, static_cast<int64_t>(result.status));
    if (result.status >= 400) {
      telemetry::MarkError(*span, std::to_string(result.status),
                           "HTTP " + std::to_string(result.status));
    }
  }
  span->End();
  return result;
}

ClientResponse Client::PostJson(const std::string& url, const nlohmann::json& body,
                                const Headers& headers) const {
  Headers all = headers;
  all.emplace("Content-Type", "application/json");
  return Send("POST", url, body.dump(), all);
}

}  // namespace fabtrace::http
