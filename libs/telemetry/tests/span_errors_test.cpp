#include "fabtrace/telemetry/span_errors.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "fabtrace/telemetry/in_memory_tracing.h"

namespace fabtrace::telemetry {
namespace {

using testing::EventString;
using testing::FindEvent;
using testing::StringAttribute;

TEST(SpanErrors, RecordExceptionAddsTheEventAndMarksTheSpan) {
  testing::InMemoryTracing tracing;
  auto span = GetTracer("test")->StartSpan("handler");
  try {
    throw std::out_of_range("index 7 out of range");
  } catch (const std::exception& error) {
    RecordException(*span, error);
  }
  span->End();

  const auto spans = tracing.TakeSpans();
  ASSERT_EQ(spans.size(), 1u);
  const auto& data = *spans[0];
  EXPECT_EQ(data.GetStatus(), opentelemetry::trace::StatusCode::kError);
  EXPECT_EQ(std::string(data.GetDescription()), "index 7 out of range");
  EXPECT_EQ(StringAttribute(data, "error.type"), "std::out_of_range");
  const auto* event = FindEvent(data, "exception");
  ASSERT_NE(event, nullptr);
  EXPECT_EQ(EventString(*event, "exception.type"), "std::out_of_range");
  EXPECT_EQ(EventString(*event, "exception.message"), "index 7 out of range");
  const auto stack = EventString(*event, "exception.stacktrace");
  ASSERT_TRUE(stack.has_value());
  EXPECT_NE(stack->find("  at "), std::string::npos);
}

TEST(SpanErrors, MarkErrorSetsTypeAndDescription) {
  testing::InMemoryTracing tracing;
  auto span = GetTracer("test")->StartSpan("call");
  MarkError(*span, "timeout", "no answer within 2000 ms");
  span->End();
  const auto spans = tracing.TakeSpans();
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(StringAttribute(*spans[0], "error.type"), "timeout");
  EXPECT_EQ(std::string(spans[0]->GetDescription()), "no answer within 2000 ms");
}

struct CustomFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

TEST(SpanErrors, TypeNamesAreDemangled) {
  EXPECT_EQ(ExceptionTypeName(CustomFailure("x")),
            "fabtrace::telemetry::(anonymous namespace)::CustomFailure");
  EXPECT_EQ(ExceptionTypeName(std::runtime_error("x")), "std::runtime_error");
}

}  // namespace
}  // namespace fabtrace::telemetry
