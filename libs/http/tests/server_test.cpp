#include "fabtrace/http/server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <future>

#include "fabtrace/telemetry/in_memory_tracing.h"
#include "test_server.h"

namespace fabtrace::http {
namespace {

using telemetry::testing::FindEvent;
using telemetry::testing::FindSpan;
using telemetry::testing::HasAttribute;
using telemetry::testing::IntAttribute;
using telemetry::testing::StringAttribute;
namespace trace = opentelemetry::trace;

std::string Hex(const trace::TraceId& id) {
  char buffer[32];
  id.ToLowerBase16(buffer);
  return {buffer, 32};
}

const telemetry::testing::SpanData* ServerSpanOf(const telemetry::testing::Spans& spans) {
  for (const auto& span : spans) {
    if (span->GetSpanKind() == trace::SpanKind::kServer) return span.get();
  }
  return nullptr;
}

// Plain requests (cpp-httplib's client): no client span, no injected context, so the
// server sees exactly the headers a test sends.
ClientResponse Call(const std::string& method, const std::string& url, const std::string& body = "",
                    const Headers& headers = {}) {
  const auto slash = url.find('/', 7);
  httplib::Client client(url.substr(0, slash));
  client.set_read_timeout(5, 0);
  httplib::Headers sent;
  for (const auto& [name, value] : headers) sent.emplace(name, value);
  httplib::Request request;
  request.method = method;
  request.path = url.substr(slash);
  request.headers = sent;
  request.body = body;
  ClientResponse result;
  auto answer = client.send(request);
  if (!answer) {
    result.error_type =
        answer.error() == httplib::Error::Connection ? "connection_refused" : "other";
    return result;
  }
  result.status = answer->status;
  result.body = answer->body;
  for (const auto& [name, value] : answer->headers) result.headers.emplace(name, value);
  return result;
}

TEST(Server, SuccessfulRequestGetsAServerSpanNamedAfterTheRoute) {
  telemetry::testing::InMemoryTracing tracing;
  testing::TestServer server;
  const auto response = Call("GET", server.Url("/items/42"));
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(nlohmann::json::parse(response.body)["has_deadline"], true);

  const auto spans = tracing.TakeSpans();
  const auto* span = FindSpan(spans, "GET /items/{id}");
  ASSERT_NE(span, nullptr);
  EXPECT_EQ(span->GetSpanKind(), trace::SpanKind::kServer);
  EXPECT_EQ(span->GetStatus(), trace::StatusCode::kUnset);
  EXPECT_EQ(StringAttribute(*span, "http.request.method"), "GET");
  EXPECT_EQ(StringAttribute(*span, "http.route"), "/items/{id}");
  EXPECT_EQ(StringAttribute(*span, "url.path"), "/items/42");
  EXPECT_EQ(StringAttribute(*span, "server.address"), "127.0.0.1");
  EXPECT_EQ(IntAttribute(*span, "server.port"), server.port);
  EXPECT_EQ(IntAttribute(*span, "http.response.status_code"), 200);
  EXPECT_FALSE(HasAttribute(*span, "error.type"));
  // The caller learns the trace id.
  EXPECT_EQ(response.headers.find("X-Support-Code")->second, Hex(span->GetTraceId()));
}

TEST(Server, ExceptionBecomes500WithExceptionEventAndSupportCode) {
  telemetry::testing::InMemoryTracing tracing;
  testing::TestServer server;
  const auto response = Call("GET", server.Url("/boom"));
  ASSERT_EQ(response.status, 500);
  const auto body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["error"]["code"], "internal_error");
  EXPECT_EQ(body["error"]["message"], "internal error");  // no internals leak to the caller

  const auto spans = tracing.TakeSpans();
  const auto* span = ServerSpanOf(spans);
  ASSERT_NE(span, nullptr);
  EXPECT_EQ(std::string(span->GetName()), "GET /boom");
  EXPECT_EQ(span->GetStatus(), trace::StatusCode::kError);
  EXPECT_EQ(StringAttribute(*span, "error.type"), "std::logic_error");
  EXPECT_EQ(IntAttribute(*span, "http.response.status_code"), 500);
  const auto* event = FindEvent(*span, "exception");
  ASSERT_NE(event, nullptr);
  EXPECT_EQ(telemetry::testing::EventString(*event, "exception.message"), "inventory is negative");
  EXPECT_EQ(body["error"]["support_code"], Hex(span->GetTraceId()));
}

TEST(Server, ClientErrorsLeaveTheServerSpanUnset) {
  telemetry::testing::InMemoryTracing tracing;
  testing::TestServer server;
  auto response = Call("GET", server.Url("/missing"));
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(nlohmann::json::parse(response.body)["error"]["code"], "item_not_found");
  response = Call("GET", server.Url("/nowhere"));
  EXPECT_EQ(response.status, 404);
  response = Call("DELETE", server.Url("/items/1"));
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(response.headers.find("Allow")->second, "GET");

  for (const auto& span : tracing.TakeSpans()) {
    if (span->GetSpanKind() != trace::SpanKind::kServer) continue;
    EXPECT_EQ(span->GetStatus(), trace::StatusCode::kUnset) << span->GetName();
  }
}

TEST(Server, BadJsonIs400WithSupportCode) {
  telemetry::testing::InMemoryTracing tracing;
  testing::TestServer server;
  const auto response =
      Call("POST", server.Url("/items"), "{not json", {{"Content-Type", "application/json"}});
  ASSERT_EQ(response.status, 400);
  const auto body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["error"]["code"], "invalid_json");
  EXPECT_EQ(body["error"]["support_code"].get<std::string>().size(), 32u);
}

TEST(Server, DependencyFailuresAreAnswered504503502ByKind) {
  telemetry::testing::InMemoryTracing tracing;
  testing::TestServer server;
  const std::pair<const char*, std::pair<int, const char*>> cases[] = {
      {"timeout", {504, "database_timeout"}},
      {"unavailable", {503, "database_unavailable"}},
      {"refused", {502, "database_error"}}};
  for (const auto& [kind, expected] : cases) {
    const auto response = Call("GET", server.Url(std::string("/dependency/") + kind));
    EXPECT_EQ(response.status, expected.first) << kind;
    const auto body = nlohmann::json::parse(response.body);
    EXPECT_EQ(body["error"]["code"], expected.second);
    EXPECT_EQ(body["error"]["support_code"].get<std::string>().size(), 32u);
    EXPECT_EQ(body["error"]["message"].get<std::string>().find("the test says so"),
              std::string::npos)
        << "no internals leak to the caller";
  }
  for (const auto& span : tracing.TakeSpans()) {
    if (span->GetSpanKind() != trace::SpanKind::kServer) continue;
    EXPECT_EQ(span->GetStatus(), trace::StatusCode::kError);
  }
}

TEST(Server, WrongJsonTypesAre400NamingTheFieldWithoutAnErrorSpan) {
  telemetry::testing::InMemoryTracing tracing;
  testing::TestServer server;
  const std::pair<const char*, const char*> cases[] = {
      {R"({"quantity": "2", "name": "a"})", "'quantity' must be an integer"},
      {R"({"quantity": 2.5, "name": "a"})", "'quantity' must be an integer"},
      {R"({"quantity": 18446744073709551615, "name": "a"})", "'quantity' must be an integer"},
      {R"({"quantity": 0, "name": "a"})", "'quantity' must be an integer from 1 to 100"},
      {R"({"name": "a"})", "'quantity' (an integer) is required"},
      {R"({"quantity": 2, "name": ["a"]})", "'name' must be a string"},
      {R"({"quantity": 2, "name": "abcdefghijk"})", "'name' is too long"},
      {R"({"quantity": 2, "name": null})", "'name' (a string) is required"},
      {"[1, 2]", "must be a JSON object"},
      {"{\"quantity\": 2, \"name\": \"\xff\xfe\"}", "not valid JSON"}};
  for (const auto& [body, message] : cases) {
    const auto response =
        Call("POST", server.Url("/typed"), body, {{"Content-Type", "application/json"}});
    EXPECT_EQ(response.status, 400) << body;
    const auto answer = nlohmann::json::parse(response.body);
    EXPECT_NE(answer["error"]["message"].get<std::string>().find(message), std::string::npos)
        << body << " -> " << answer.dump();
    EXPECT_EQ(answer["error"]["support_code"].get<std::string>().size(), 32u);
  }
  EXPECT_EQ(Call("POST", server.Url("/typed"), R"({"quantity": 100, "name": "ok"})").status, 200);
  for (const auto& span : tracing.TakeSpans()) {
    EXPECT_NE(span->GetStatus(), trace::StatusCode::kError) << span->GetName();
  }
}

TEST(Server, OversizedBodyIsRefused) {
  telemetry::testing::InMemoryTracing tracing;
  ServerOptions options;
  options.max_body_bytes = 1024;
  testing::TestServer server(options);
  const auto response = Call("POST", server.Url("/items"), std::string(4096, 'x'));
  EXPECT_EQ(response.status, 413);
  EXPECT_EQ(nlohmann::json::parse(response.body)["error"]["code"], "payload_too_large");
}

std::string ManyBaggageMembers(int count) {
  std::string baggage;
  for (int i = 0; i < count; ++i)
    baggage += (i ? "," : "") + std::string("k") + std::to_string(i) + "=v";
  return baggage;
}

TEST(Server, IncomingContextIsContinuedAndBadContextStartsFresh) {
  telemetry::testing::InMemoryTracing tracing;
  testing::TestServer server;
  const std::string trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  Call("GET", server.Url("/items/1"), "",
       {{"traceparent", "00-" + trace_id + "-00f067aa0ba902b7-01"}});
  auto spans = tracing.TakeSpans();
  auto* span = ServerSpanOf(spans);
  ASSERT_NE(span, nullptr);
  EXPECT_EQ(Hex(span->GetTraceId()), trace_id);
  char parent[16];
  span->GetParentSpanId().ToLowerBase16(parent);
  EXPECT_EQ(std::string(parent, 16), "00f067aa0ba902b7");

  const auto response = Call("GET", server.Url("/items/2"), "",
                             {{"traceparent", "00-" + trace_id + "-00f067aa0ba902b7-zz"},
                              {"tracestate", std::string(5000, ',')},
                              {"baggage", ManyBaggageMembers(200)}});
  EXPECT_EQ(response.status, 200);
  spans = tracing.TakeSpans();
  span = ServerSpanOf(spans);
  ASSERT_NE(span, nullptr);
  EXPECT_NE(Hex(span->GetTraceId()), trace_id);
  EXPECT_FALSE(span->GetParentSpanId().IsValid());
}

TEST(Server, HeaderLinesOverTheLimitAreRefusedBeforeTracing) {
  telemetry::testing::InMemoryTracing tracing;
  testing::TestServer server;
  const auto response =
      Call("GET", server.Url("/items/3"), "", {{"baggage", std::string(20000, 'b')}});
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(nlohmann::json::parse(response.body)["error"]["code"], "bad_request");
  EXPECT_EQ(Call("GET", server.Url("/items/3")).status, 200);  // the server keeps serving
}

TEST(Server, HealthReadinessAndMetrics) {
  telemetry::testing::InMemoryTracing tracing;
  testing::TestServer server;
  bool ready = false;
  server.server.SetReadinessCheck([&ready](std::string& reason) {
    reason = ready ? "" : "database unreachable";
    return ready;
  });
  EXPECT_EQ(Call("GET", server.Url("/healthz")).status, 200);
  auto response = Call("GET", server.Url("/readyz"));
  EXPECT_EQ(response.status, 503);
  EXPECT_EQ(nlohmann::json::parse(response.body)["reason"], "database unreachable");
  ready = true;
  EXPECT_EQ(Call("GET", server.Url("/readyz")).status, 200);
  Call("GET", server.Url("/items/1"));
  EXPECT_NE(Call("GET", server.Url("/metrics"))
                .body.find("fabtrace_http_responses_total{status_class=\"2xx\"} 1"),
            std::string::npos);
  // Operational endpoints are not traced.
  for (const auto& span : tracing.TakeSpans()) {
    EXPECT_EQ(StringAttribute(*span, "url.path").value_or("")[1] == 'h', false);
  }
}

TEST(Server, ShedsLoadBeyondTheInFlightLimit) {
  telemetry::testing::InMemoryTracing tracing;
  ServerOptions options;
  options.worker_threads = 4;
  options.max_in_flight = 1;
  testing::TestServer server(options);
  auto slow =
      std::async(std::launch::async, [&] { return Call("GET", server.Url("/slow")).status; });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const auto shed = Call("GET", server.Url("/items/1"));
  EXPECT_EQ(shed.status, 503);
  EXPECT_EQ(shed.headers.find("Retry-After")->second, "1");
  EXPECT_EQ(slow.get(), 204);
  EXPECT_EQ(Call("GET", server.Url("/items/1")).status, 200);
}

TEST(Server, GracefulStopFinishesRequestsInProgress) {
  telemetry::testing::InMemoryTracing tracing;
  testing::TestServer server;
  auto slow =
      std::async(std::launch::async, [&] { return Call("GET", server.Url("/slow")).status; });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  server.server.Stop();
  EXPECT_EQ(slow.get(), 204);
  EXPECT_EQ(Call("GET", server.Url("/items/1")).error_type, "connection_refused");
}

}  // namespace
}  // namespace fabtrace::http
