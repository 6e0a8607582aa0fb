// The server span of one request: opened from the incoming trace context, named
// "METHOD /route/{param}", with the HTTP semantic-convention attributes; 5xx and
// exceptions mark it ERROR. While it lives it is the active span of the thread.
#pragma once

#include <exception>
#include <optional>
#include <string>

#include "fabtrace/http/message.h"
#include "fabtrace/telemetry/active_span.h"
#include "fabtrace/telemetry/fixed_attributes.h"
#include "opentelemetry/trace/span.h"

namespace fabtrace::http {

class ServerSpan {
 public:
  // The attributes every server span of a server listening on `port` has.
  static telemetry::FixedAttributes FixedAttributesOf(int port);

  // `route` is empty when no route matched; `server` is FixedAttributesOf(its port).
  ServerSpan(const Request& request, const std::string& route,
             const telemetry::FixedAttributes& server);
  ~ServerSpan();  // ends the span

  void RecordException(const std::exception& error);
  // Sets the status attributes and, for 5xx, the ERROR status; hands the support code
  // (X-Support-Code: the trace id) over to the response: trace_id() is empty after it.
  void Finish(Response& response);

  // The trace id in hex, the support code of error bodies: until Finish.
  const std::string& trace_id() const { return trace_id_; }

 private:
  opentelemetry::nostd::shared_ptr<opentelemetry::trace::Span> span_;
  std::optional<telemetry::ActiveSpan> active_;
  std::string trace_id_;
  bool exception_recorded_ = false;
};

}  // namespace fabtrace::http
