// HTTP client (on libcurl) for calls between services and for tests. Every call is a
// CLIENT span that carries the trace context in traceparent/tracestate/baggage;
// timeouts and refused connections come back as error.type, never as a hang.
#pragma once

#include <chrono>
#include <string>

#include "fabtrace/http/message.h"

namespace fabtrace::http {

struct ClientOptions {
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds request_timeout{10000};  // also capped by the caller's Deadline
};

struct ClientResponse {
  int status = 0;  // 0 when no HTTP answer arrived
  std::string body;
  Headers headers;
  std::string error_type;  // "timeout", "connection_refused", ... when status == 0
  std::string error_message;

  bool ok() const { return status >= 200 && status < 300; }
};

class Client {
 public:
  explicit Client(ClientOptions options = {}) : options_(options) {}

  // `url_template` (e.g. "/orders/{id}") names the span "GET /orders/{id}"; without it
  // the span is named after the method alone, as the conventions ask.
  ClientResponse Send(const std::string& method, const std::string& url,
                      const std::string& body = "", const Headers& headers = {},
                      const std::string& url_template = "") const;
  ClientResponse Get(const std::string& url, const Headers& headers = {}) const {
    return Send("GET", url, "", headers);
  }
  ClientResponse PostJson(const std::string& url, const nlohmann::json& body,
                          const Headers& headers = {}) const;

 private:
  ClientOptions options_;
};

}  // namespace fabtrace::http
