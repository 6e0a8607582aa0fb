// Requests and responses as the handlers of a service see them.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace fabtrace::http {

// Header names compare case-insensitively.
struct CaseInsensitiveLess {
  bool operator()(std::string_view a, std::string_view b) const;
  using is_transparent = void;
};
using Headers = std::multimap<std::string, std::string, CaseInsensitiveLess>;

struct Request {
  std::string method;
  std::string path;   // without the query string
  std::string route;  // the matched template, e.g. "/orders/{id}"
  std::map<std::string, std::string> path_params;
  std::multimap<std::string, std::string> query;
  Headers headers;
  std::string body;
  std::string client_address;

  std::optional<std::string_view> header(std::string_view name) const;
  std::optional<std::string> query_param(const std::string& name) const;
  const std::string& param(const std::string& name) const;  // a path parameter
  // The body parsed as a JSON object; throws HttpError 400 when it is not one.
  nlohmann::json json() const;
};

struct Response {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  Headers headers;
  // Sent as X-Support-Code: the trace id, set by the server span (empty when untraced).
  std::string support_code;

  static Response Json(int status, const nlohmann::json& body);
  static Response Text(int status, std::string body, std::string content_type = "text/plain");
  static Response NoContent();
};

// Thrown by handlers (or the server) to answer with an error status. `code` is a
// stable machine-readable name (e.g. "order_not_found"); `message` is for people.
class HttpError : public std::exception {
 public:
  HttpError(int status, std::string code, std::string message)
      : status_(status), code_(std::move(code)), message_(std::move(message)) {}
  int status() const { return status_; }
  const std::string& code() const { return code_; }
  const char* what() const noexcept override { return message_.c_str(); }

 private:
  int status_;
  std::string code_, message_;
};

// The body of every error answer: {"error": {"code", "message", "support_code"}}, where
// the support code is the trace id that leads support to the trace.
nlohmann::json ErrorBody(std::string_view code, std::string_view message,
                         std::string_view support_code);

}  // namespace fabtrace::http
