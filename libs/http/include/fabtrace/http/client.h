// HTTP client (on libcurl) for calls between services and for tests. Every call is a
// CLIENT span that carries the trace context in traceparent/tracestate/baggage;
// timeouts and refused connections come back as error.type, never as a hang.
#pragma once

#include <chrono>
#include <string>

#include "fabtrace/http/message.h"
#include "fabtrace/http/transfer.h"

namespace fabtrace::http {

struct ClientOptions {
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds request_timeout{10000};  // also capped by the caller's Deadline
};

using ClientResponse = TransferResult;

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
