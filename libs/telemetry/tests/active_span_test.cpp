// ActiveSpan keeps the thread's current span in frames instead of opentelemetry-cpp's
// runtime context stack; both views must agree, under our tracer and under the SDK's.
#include "fabtrace/telemetry/active_span.h"

#include <gtest/gtest.h>

#include <thread>

#include "fabtrace/telemetry/in_memory_tracing.h"
#include "fabtrace/telemetry/tracer.h"
#include "opentelemetry/context/runtime_context.h"
#include "opentelemetry/trace/context.h"
#include "opentelemetry/trace/scope.h"

namespace context = opentelemetry::context;
namespace trace = opentelemetry::trace;

namespace fabtrace::telemetry {
namespace {

using testing::FindSpan;
using testing::InMemoryTracing;

trace::SpanId ApiCurrentSpanId() {
  return trace::GetSpan(context::RuntimeContext::GetCurrent())->GetContext().span_id();
}

class ActiveSpanTest : public ::testing::TestWithParam<TracerKind> {};

TEST_P(ActiveSpanTest, NestsAndIsSeenThroughTheApiAndByTheTracer) {
  InMemoryTracing tracing(GetParam());
  auto tracer = GetTracer("test");
  EXPECT_FALSE(CurrentSpanContext().IsValid());
  EXPECT_FALSE(CurrentSpan()->GetContext().IsValid());
  {
    auto outer = tracer->StartSpan("outer");
    ActiveSpan outer_active(outer);
    EXPECT_EQ(CurrentSpanContext().span_id(), outer->GetContext().span_id());
    EXPECT_EQ(ApiCurrentSpanId(), outer->GetContext().span_id());
    {
      auto inner = tracer->StartSpan("inner");  // its parent: the current span
      ActiveSpan inner_active(inner);
      EXPECT_EQ(CurrentSpan()->GetContext().span_id(), inner->GetContext().span_id());
      EXPECT_EQ(ApiCurrentSpanId(), inner->GetContext().span_id());
      {
        auto api = tracer->StartSpan("api");
        trace::Scope scope(api);  // opentelemetry-cpp's own scope, inside ours
        EXPECT_EQ(CurrentSpanContext().span_id(), api->GetContext().span_id());
        auto leaf = tracer->StartSpan("leaf");
        leaf->End();
        api->End();
      }
      EXPECT_EQ(CurrentSpanContext().span_id(), inner->GetContext().span_id());
      inner->End();
    }
    EXPECT_EQ(ApiCurrentSpanId(), outer->GetContext().span_id());
    outer->End();
  }
  EXPECT_FALSE(CurrentSpanContext().IsValid());
  EXPECT_FALSE(trace::GetSpan(context::RuntimeContext::GetCurrent())->GetContext().IsValid());

  const auto spans = tracing.TakeSpans();
  ASSERT_EQ(spans.size(), 4u);
  const auto* outer = FindSpan(spans, "outer");
  const auto* inner = FindSpan(spans, "inner");
  const auto* api = FindSpan(spans, "api");
  const auto* leaf = FindSpan(spans, "leaf");
  ASSERT_TRUE(outer && inner && api && leaf);
  EXPECT_FALSE(outer->GetParentSpanId().IsValid());
  EXPECT_EQ(inner->GetParentSpanId(), outer->GetSpanId());
  EXPECT_EQ(api->GetParentSpanId(), inner->GetSpanId());
  EXPECT_EQ(leaf->GetParentSpanId(), api->GetSpanId());
  EXPECT_EQ(leaf->GetTraceId(), outer->GetTraceId());
}

INSTANTIATE_TEST_SUITE_P(Tracers, ActiveSpanTest,
                         ::testing::Values(TracerKind::kDirect, TracerKind::kSdk));

TEST(ActiveSpan, AContextMarkedRootHidesTheSpansOutsideIt) {
  InMemoryTracing tracing;
  auto tracer = GetTracer("test");
  auto outer = tracer->StartSpan("outer");
  ActiveSpan active(outer);
  {
    auto root = context::RuntimeContext::GetCurrent().SetValue(trace::kIsRootSpanKey, true);
    auto token = context::RuntimeContext::Attach(root);
    EXPECT_FALSE(CurrentSpanContext().IsValid());
    tracer->StartSpan("new trace")->End();
  }
  EXPECT_EQ(CurrentSpanContext().span_id(), outer->GetContext().span_id());
  outer->End();
  const auto spans = tracing.TakeSpans();
  const auto* fresh = FindSpan(spans, "new trace");
  ASSERT_NE(fresh, nullptr);
  EXPECT_FALSE(fresh->GetParentSpanId().IsValid());
  EXPECT_NE(fresh->GetTraceId(), FindSpan(spans, "outer")->GetTraceId());
}

TEST(ActiveSpan, EndedOutOfOrderLeavesTheOthersCurrent) {
  InMemoryTracing tracing;
  auto tracer = GetTracer("test");
  auto first = tracer->StartSpan("first");
  auto second = tracer->StartSpan("second");
  auto first_active = std::make_unique<ActiveSpan>(first);
  auto second_active = std::make_unique<ActiveSpan>(second);
  first_active.reset();  // not the innermost
  EXPECT_EQ(CurrentSpanContext().span_id(), second->GetContext().span_id());
  second_active.reset();
  EXPECT_FALSE(CurrentSpanContext().IsValid());
  first->End();
  second->End();
}

TEST(ActiveSpan, IsCurrentOnItsOwnThreadOnly) {
  InMemoryTracing tracing;
  auto span = GetTracer("test")->StartSpan("here");
  ActiveSpan active(span);
  bool seen_elsewhere = true;
  std::thread([&seen_elsewhere] {
    seen_elsewhere = CurrentSpanContext().IsValid() ||
                     trace::GetSpan(context::RuntimeContext::GetCurrent())->GetContext().IsValid();
  }).join();
  EXPECT_FALSE(seen_elsewhere);
  EXPECT_TRUE(CurrentSpanContext().IsValid());
  span->End();
}

}  // namespace
}  // namespace fabtrace::telemetry
