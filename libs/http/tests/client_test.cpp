#include "fabtrace/http/client.h"

#include <gtest/gtest.h>

#include "fabtrace/telemetry/in_memory_tracing.h"
#include "test_server.h"

namespace fabtrace::http {
namespace {

using telemetry::testing::IntAttribute;
using telemetry::testing::StringAttribute;
namespace trace = opentelemetry::trace;

const telemetry::testing::SpanData* OfKind(const telemetry::testing::Spans& spans,
                                           trace::SpanKind kind) {
  for (const auto& span : spans) {
    if (span->GetSpanKind() == kind) return span.get();
  }
  return nullptr;
}

TEST(Client, ClientSpanIsTheParentOfTheServerSpan) {
  telemetry::testing::InMemoryTracing tracing;
  testing::TestServer server;
  const auto response = Client().Send("GET", server.Url("/items/5"), "", {}, "/items/{id}");
  ASSERT_EQ(response.status, 200);
  const auto spans = tracing.TakeSpans();
  const auto* client = OfKind(spans, trace::SpanKind::kClient);
  const auto* server_span = OfKind(spans, trace::SpanKind::kServer);
  ASSERT_NE(client, nullptr);
  ASSERT_NE(server_span, nullptr);
  EXPECT_EQ(std::string(client->GetName()), "GET /items/{id}");
  EXPECT_EQ(server_span->GetParentSpanId(), client->GetSpanId());
  EXPECT_EQ(server_span->GetTraceId(), client->GetTraceId());
  EXPECT_EQ(StringAttribute(*client, "server.address"), "127.0.0.1");
  EXPECT_EQ(IntAttribute(*client, "server.port"), server.port);
  EXPECT_EQ(IntAttribute(*client, "http.response.status_code"), 200);
  EXPECT_EQ(client->GetStatus(), trace::StatusCode::kUnset);
}

TEST(Client, ClientErrorStatusMarksTheClientSpan) {
  telemetry::testing::InMemoryTracing tracing;
  testing::TestServer server;
  EXPECT_EQ(Client().Get(server.Url("/missing")).status, 404);
  const auto spans = tracing.TakeSpans();
  const auto* client = OfKind(spans, trace::SpanKind::kClient);
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(client->GetStatus(), trace::StatusCode::kError);
  EXPECT_EQ(StringAttribute(*client, "error.type"), "404");
}

TEST(Client, RefusedConnectionIsReported) {
  telemetry::testing::InMemoryTracing tracing;
  int closed_port;
  {
    testing::TestServer server;
    closed_port = server.port;
  }
  const auto response =
      Client().Get("http://127.0.0.1:" + std::to_string(closed_port) + "/items/1");
  EXPECT_EQ(response.status, 0);
  EXPECT_EQ(response.error_type, "connection_refused");
  const auto spans = tracing.TakeSpans();
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0]->GetStatus(), trace::StatusCode::kError);
  EXPECT_EQ(StringAttribute(*spans[0], "error.type"), "connection_refused");
}

TEST(Client, TimeoutEndsTheSpanAtTheTimeout) {
  telemetry::testing::InMemoryTracing tracing;
  testing::TestServer server;
  ClientOptions options;
  options.request_timeout = std::chrono::milliseconds(100);
  const auto response = Client(options).Get(server.Url("/slow"));
  EXPECT_EQ(response.error_type, "timeout");
  const auto spans = tracing.TakeSpans();
  const auto* client = OfKind(spans, trace::SpanKind::kClient);
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(StringAttribute(*client, "error.type"), "timeout");
  EXPECT_GE(client->GetDuration(), std::chrono::milliseconds(95));
  EXPECT_LT(client->GetDuration(), std::chrono::milliseconds(350));
}

TEST(Client, DeadlineOfTheRequestCapsTheTimeout) {
  telemetry::testing::InMemoryTracing tracing;
  testing::TestServer server;
  const Deadline::Scope deadline(Deadline::Clock::now() + std::chrono::milliseconds(80));
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(Client().Get(server.Url("/slow")).error_type, "timeout");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(300));
}

}  // namespace
}  // namespace fabtrace::http
