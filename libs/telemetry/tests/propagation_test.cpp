#include "fabtrace/telemetry/propagation.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "fabtrace/telemetry/in_memory_tracing.h"
#include "opentelemetry/baggage/baggage_context.h"
#include "opentelemetry/trace/context.h"
#include "opentelemetry/trace/default_span.h"

namespace fabtrace::telemetry {
namespace {

constexpr char kValid[] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

HeaderLookup Headers(const std::map<std::string, std::string>& headers) {
  return [&headers](std::string_view name) -> std::optional<std::string_view> {
    auto it = headers.find(std::string(name));
    if (it == headers.end()) return std::nullopt;
    return std::string_view(it->second);
  };
}

opentelemetry::trace::SpanContext Extracted(const std::map<std::string, std::string>& headers) {
  auto context = ExtractContext(Headers(headers), opentelemetry::context::Context{});
  return opentelemetry::trace::GetSpan(context)->GetContext();
}

TEST(Traceparent, StrictW3CValidation) {
  EXPECT_TRUE(IsValidTraceparent(kValid));
  EXPECT_TRUE(IsValidTraceparent("01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra"));
  EXPECT_FALSE(IsValidTraceparent("ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));
  EXPECT_FALSE(IsValidTraceparent("00-00000000000000000000000000000000-b7ad6b7169203331-01"));
  EXPECT_FALSE(IsValidTraceparent("00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01"));
  EXPECT_FALSE(IsValidTraceparent("00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01"));
  EXPECT_FALSE(IsValidTraceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-x"));
  EXPECT_FALSE(IsValidTraceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331"));
  EXPECT_FALSE(IsValidTraceparent(""));
  EXPECT_FALSE(IsValidTraceparent(std::string(10000, 'a')));
}

TEST(Propagation, ValidHeadersContinueTheTrace) {
  testing::InMemoryTracing tracing;
  const auto context = Extracted({{"traceparent", kValid}, {"tracestate", "vendor=value"}});
  ASSERT_TRUE(context.IsValid());
  EXPECT_TRUE(context.IsRemote());
  char trace_id[32];
  context.trace_id().ToLowerBase16(trace_id);
  EXPECT_EQ(std::string(trace_id, 32), "0af7651916cd43dd8448eb211c80319c");
  EXPECT_EQ(context.trace_state()->ToHeader(), "vendor=value");
}

TEST(Propagation, BadTraceparentStartsFresh) {
  testing::InMemoryTracing tracing;
  EXPECT_FALSE(Extracted({{"traceparent", "00-XYZ-b7ad6b7169203331-01"}}).IsValid());
  EXPECT_FALSE(Extracted({{"traceparent", std::string(100000, '0')}}).IsValid());
  EXPECT_FALSE(
      Extracted({{"traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-0\xc3\xa9"}})
          .IsValid());
}

TEST(Propagation, OverlongTracestateIsDroppedButParentKept) {
  testing::InMemoryTracing tracing;
  std::string members;
  for (int i = 0; i < 40; ++i)
    members += (i ? "," : "") + std::string("k") + std::to_string(i) + "=v";
  const auto context = Extracted({{"traceparent", kValid}, {"tracestate", members}});
  ASSERT_TRUE(context.IsValid());
  EXPECT_EQ(context.trace_state()->ToHeader(), "");
}

TEST(Propagation, BaggageIsCarriedAndBadBaggageIgnored) {
  testing::InMemoryTracing tracing;
  std::map<std::string, std::string> good{{"traceparent", kValid},
                                          {"baggage", "shop.customer.id=42"}};
  auto context = ExtractContext(Headers(good), opentelemetry::context::Context{});
  std::string value;
  EXPECT_TRUE(opentelemetry::baggage::GetBaggage(context)->GetValue("shop.customer.id", value));
  EXPECT_EQ(value, "42");

  std::map<std::string, std::string> bad{{"traceparent", kValid}, {"baggage", "k=\xff\xfe"}};
  context = ExtractContext(Headers(bad), opentelemetry::context::Context{});
  EXPECT_FALSE(opentelemetry::baggage::GetBaggage(context)->GetValue("k", value));
  EXPECT_TRUE(opentelemetry::trace::GetSpan(context)->GetContext().IsValid());
}

TEST(Propagation, ThrowingLookupIsHarmless) {
  testing::InMemoryTracing tracing;
  auto context = ExtractContext([](std::string_view) -> std::optional<std::string_view> {
    throw std::runtime_error("broken carrier");
  });
  EXPECT_FALSE(opentelemetry::trace::GetSpan(context)->GetContext().IsValid());
}

TEST(Propagation, InjectWritesTheCurrentSpan) {
  testing::InMemoryTracing tracing;
  auto span = GetTracer("test")->StartSpan("outgoing");
  auto scope = opentelemetry::trace::Tracer::WithActiveSpan(span);
  std::map<std::string, std::string> written;
  InjectContext([&](std::string_view name, std::string_view value) {
    written[std::string(name)] = std::string(value);
  });
  ASSERT_TRUE(written.count("traceparent"));
  EXPECT_EQ(written["traceparent"], CurrentTraceparent());
  EXPECT_TRUE(IsValidTraceparent(written["traceparent"]));
  EXPECT_EQ(written["traceparent"].substr(3, 32), CurrentTraceId());
  span->End();
}

TEST(Propagation, TheCurrentTraceparentAndTraceIdAreTheIdsInLowercaseHex) {
  testing::InMemoryTracing tracing;  // installs the W3C propagator
  for (const std::string& traceparent :
       {std::string(kValid),
        std::string("00-ff00a0b1c2d3e4f5968778695a4b3c2d-0123456789abcdef-00")}) {
    const auto context = Extracted({{"traceparent", traceparent}});
    ASSERT_TRUE(context.IsValid());
    opentelemetry::nostd::shared_ptr<opentelemetry::trace::Span> span(
        new opentelemetry::trace::DefaultSpan(context));
    auto scope = opentelemetry::trace::Tracer::WithActiveSpan(span);
    EXPECT_EQ(CurrentTraceparent(), traceparent);
    EXPECT_EQ(CurrentTraceId(), traceparent.substr(3, 32));
    EXPECT_EQ(TraceIdOf(context), traceparent.substr(3, 32));
  }
  EXPECT_EQ(CurrentTraceparent(), "");
  EXPECT_EQ(TraceIdOf(opentelemetry::trace::SpanContext::GetInvalid()), "");
}

TEST(Propagation, TheTraceparentIsAppendedAfterWhatIsThereAndNothingOutsideASpan) {
  testing::InMemoryTracing tracing;
  std::string out = "SELECT 1 /*traceparent='";
  EXPECT_FALSE(AppendCurrentTraceparent(out));
  EXPECT_EQ(out, "SELECT 1 /*traceparent='");
  const auto context = Extracted({{"traceparent", std::string(kValid)}});
  opentelemetry::nostd::shared_ptr<opentelemetry::trace::Span> span(
      new opentelemetry::trace::DefaultSpan(context));
  auto scope = opentelemetry::trace::Tracer::WithActiveSpan(span);
  EXPECT_TRUE(AppendCurrentTraceparent(out));
  EXPECT_EQ(out, "SELECT 1 /*traceparent='" + std::string(kValid));
}

// Random and mutated headers: extraction must neither crash nor accept garbage.
TEST(Propagation, FuzzedHeadersNeverCrashOrPoison) {
  testing::InMemoryTracing tracing;
  std::mt19937 random(20261125);
  std::uniform_int_distribution<int> byte(0, 255), length(0, 300), position(0, 54);
  for (int i = 0; i < 20000; ++i) {
    std::string traceparent = kValid;
    if (i % 2 == 0) {
      traceparent[static_cast<std::size_t>(position(random))] = static_cast<char>(byte(random));
    } else {
      traceparent.assign(static_cast<std::size_t>(length(random)), '\0');
      for (auto& c : traceparent) c = static_cast<char>(byte(random));
    }
    std::string tracestate(static_cast<std::size_t>(length(random)) * 4, 'x');
    for (auto& c : tracestate) c = static_cast<char>(byte(random));
    std::string baggage(static_cast<std::size_t>(length(random)) * 40, '=');
    for (auto& c : baggage) c = static_cast<char>(byte(random) | 0x20);
    const auto context =
        Extracted({{"traceparent", traceparent}, {"tracestate", tracestate}, {"baggage", baggage}});
    EXPECT_EQ(context.IsValid(), IsValidTraceparent(traceparent)) << traceparent;
  }
}

}  // namespace
}  // namespace fabtrace::telemetry
