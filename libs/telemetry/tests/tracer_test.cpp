// GetTracer caches each thread's tracers: the cache must follow the installed provider.
#include "fabtrace/telemetry/tracer.h"

#include <gtest/gtest.h>

#include <memory>
#include <optional>

#include "fabtrace/telemetry/in_memory_tracing.h"
#include "opentelemetry/trace/noop.h"
#include "opentelemetry/trace/provider.h"

namespace trace = opentelemetry::trace;

namespace fabtrace::telemetry {
namespace {

using testing::FindSpan;
using testing::InMemoryTracing;

TEST(GetTracer, SpansGoToTheProviderInstalledNowNotToAnEarlierOne) {
  std::optional<InMemoryTracing> first(std::in_place);
  GetTracer("cache-test")->StartSpan("to the first")->End();
  GetTracer("cache-test-other")->StartSpan("other library")->End();
  const auto first_spans = first->TakeSpans();
  EXPECT_NE(FindSpan(first_spans, "to the first"), nullptr);
  EXPECT_NE(FindSpan(first_spans, "other library"), nullptr);
  first.reset();  // installs the no-op provider

  EXPECT_FALSE(GetTracer("cache-test")->StartSpan("nowhere")->GetContext().IsValid());

  InMemoryTracing second(TracerKind::kSdk);
  GetTracer("cache-test")->StartSpan("to the second")->End();
  const auto second_spans = second.TakeSpans();
  ASSERT_EQ(second_spans.size(), 1u);
  EXPECT_EQ(second_spans.front()->GetName(), "to the second");
  EXPECT_EQ(second_spans.front()->GetInstrumentationScope().GetName(), "fabtrace.cache-test");
}

TEST(GetTracer, AProviderSetDirectlyThroughTheApiIsSeenToo) {
  InMemoryTracing tracing;
  EXPECT_TRUE(GetTracer("cache-test")->StartSpan("recorded")->GetContext().IsValid());
  const auto installed = trace::Provider::GetTracerProvider();
  trace::Provider::SetTracerProvider(
      opentelemetry::nostd::shared_ptr<trace::TracerProvider>(new trace::NoopTracerProvider()));
  EXPECT_FALSE(GetTracer("cache-test")->StartSpan("not recorded")->GetContext().IsValid());
  trace::Provider::SetTracerProvider(installed);
  EXPECT_TRUE(GetTracer("cache-test")->StartSpan("recorded again")->GetContext().IsValid());
}

TEST(GetTracer, MoreLibrariesThanTheCacheHoldsStillGetTheirOwnTracers) {
  InMemoryTracing tracing;
  for (int i = 0; i < 12; ++i) {
    GetTracer("library-" + std::to_string(i))->StartSpan("span " + std::to_string(i))->End();
  }
  const auto spans = tracing.TakeSpans();
  ASSERT_EQ(spans.size(), 12u);
  for (const auto& span : spans) {
    EXPECT_EQ("span " + span->GetInstrumentationScope().GetName().substr(17), span->GetName());
  }
}

}  // namespace
}  // namespace fabtrace::telemetry
