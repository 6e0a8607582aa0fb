#include "fabtrace/http/client.h"

#include <curl/curl.h>

#include <memory>

#include "fabtrace/common/deadline.h"
#include "fabtrace/telemetry/propagation.h"
#include "fabtrace/telemetry/span_errors.h"
#include "fabtrace/telemetry/telemetry.h"

namespace trace = opentelemetry::trace;

namespace fabtrace::http {
namespace {

struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

std::size_t AppendBody(char* data, std::size_t size, std::size_t count, void* target) {
  static_cast<std::string*>(target)->append(data, size * count);
  return size * count;
}

std::size_t AppendHeader(char* data, std::size_t size, std::size_t count, void* target) {
  std::string_view line(data, size * count);
  const auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    auto value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.remove_suffix(1);
    static_cast<Headers*>(target)->emplace(std::string(line.substr(0, colon)), std::string(value));
  }
  return size * count;
}

}  // namespace

std::string CurlErrorType(int curl_code) {
  switch (static_cast<CURLcode>(curl_code)) {
    case CURLE_OPERATION_TIMEDOUT:
      return "timeout";
    case CURLE_COULDNT_CONNECT:
      return "connection_refused";
    case CURLE_COULDNT_RESOLVE_HOST:
      return "dns_failure";
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
      return "connection_reset";
    case CURLE_SSL_CONNECT_ERROR:
      return "tls_failure";
    default:
      return "curl_error_" + std::to_string(curl_code);
  }
}

ClientResponse Client::Send(const std::string& method, const std::string& url,
                            const std::string& body, const Headers& headers,
                            const std::string& url_template) const {
  static CurlGlobal global;
  ClientResponse result;
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);

  trace::StartSpanOptions span_options;
  span_options.kind = trace::SpanKind::kClient;
  auto span = telemetry::GetTracer("http")->StartSpan(
      url_template.empty() ? method : method + " " + url_template, span_options);
  trace::Scope scope(span);
  span->SetAttribute("http.request.method", method);
  span->SetAttribute("url.full", url);
  if (!url_template.empty()) span->SetAttribute("url.template", url_template);

  CURLU* parsed = curl_url();
  if (curl_url_set(parsed, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK) {
    char* host = nullptr;
    char* port = nullptr;
    if (curl_url_get(parsed, CURLUPART_HOST, &host, 0) == CURLUE_OK)
      span->SetAttribute("server.address", host);
    if (curl_url_get(parsed, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
      span->SetAttribute("server.port", static_cast<int64_t>(std::atoi(port)));
    }
    curl_free(host);
    curl_free(port);
  }
  curl_url_cleanup(parsed);

  curl_slist* header_list = nullptr;
  for (const auto& [name, value] : headers)
    header_list = curl_slist_append(header_list, (name + ": " + value).c_str());
  telemetry::InjectContext([&header_list](std::string_view name, std::string_view value) {
    header_list =
        curl_slist_append(header_list, (std::string(name) + ": " + std::string(value)).c_str());
  });
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_guard(header_list,
                                                                           &curl_slist_free_all);

  const auto timeout = Deadline::Cap(options_.request_timeout);
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, header_list);
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min(options_.connect_timeout, timeout).count()));
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, &AppendBody);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &result.body);
  curl_easy_setopt(curl.get(), CURLOPT_HEADERFUNCTION, &AppendHeader);
  curl_easy_setopt(curl.get(), CURLOPT_HEADERDATA, &result.headers);
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  if (method == "HEAD") curl_easy_setopt(curl.get(), CURLOPT_NOBODY, 1L);

  const auto code = curl_easy_perform(curl.get());
  if (code != CURLE_OK) {
    result.error_type = CurlErrorType(code);
    result.error_message = curl_easy_strerror(code);
    if (code == CURLE_OPERATION_TIMEDOUT)
      result.error_message += " after " + std::to_string(timeout.count()) + " ms";
    telemetry::MarkError(*span, result.error_type, result.error_message);
  } else {
    long status = 0;
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
    result.status = static_cast<int>(status);
    span->SetAttribute("http.response.status_code", static_cast<int64_t>(status));
    if (status >= 400)
      telemetry::MarkError(*span, std::to_string(status), "HTTP " + std::to_string(status));
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
