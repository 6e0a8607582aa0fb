// The thread's current span, made current without allocating. opentelemetry-cpp's
// trace::Scope allocates a context node, a copy of its key and a token for every span it
// makes current, and reaches its storage through a shared pointer copied on every call:
// about 1,800 instructions per span (docs/performance.md). ActiveSpan links a frame that
// lives inside it into the thread's chain instead.
//
// The same chain serves opentelemetry-cpp's runtime context (this library installs it as
// the RuntimeContextStorage), so RuntimeContext::GetCurrent, trace::Scope and the SDK's
// own tracer see the spans made current here, and CurrentSpan sees theirs.
#pragma once

#include "opentelemetry/context/context.h"
#include "opentelemetry/nostd/shared_ptr.h"
#include "opentelemetry/trace/span.h"
#include "opentelemetry/trace/span_context.h"

namespace fabtrace::telemetry {

namespace detail {
// One link of a thread's chain of current spans and contexts, innermost first: a span
// made current (ActiveSpan), or a context attached through opentelemetry-cpp's API.
struct Frame {
  Frame* outer = nullptr;
  const opentelemetry::nostd::shared_ptr<opentelemetry::trace::Span>* span = nullptr;
  const opentelemetry::context::Context* context = nullptr;
};
}  // namespace detail

// Makes `span` the thread's current span until destroyed (what trace::Scope does).
// Destroy it on the thread that made it, innermost first as scopes are.
class ActiveSpan {
 public:
  explicit ActiveSpan(opentelemetry::nostd::shared_ptr<opentelemetry::trace::Span> span) noexcept;
  ~ActiveSpan();
  ActiveSpan(const ActiveSpan&) = delete;
  ActiveSpan& operator=(const ActiveSpan&) = delete;

 private:
  opentelemetry::nostd::shared_ptr<opentelemetry::trace::Span> span_;
  detail::Frame frame_;
};

// The thread's current span: the innermost made current here or through the API (a
// shared invalid span when there is none; never null).
opentelemetry::nostd::shared_ptr<opentelemetry::trace::Span> CurrentSpan() noexcept;

// Its context (invalid when there is none, or when the current context is marked root).
opentelemetry::trace::SpanContext CurrentSpanContext() noexcept;

}  // namespace fabtrace::telemetry
