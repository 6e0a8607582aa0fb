#include "fabtrace/telemetry/active_span.h"

#include <new>

#include "opentelemetry/context/runtime_context.h"
#include "opentelemetry/trace/context.h"
#include "opentelemetry/trace/default_span.h"

namespace context = opentelemetry::context;
namespace nostd = opentelemetry::nostd;
namespace trace = opentelemetry::trace;

namespace fabtrace::telemetry {
namespace {

using detail::Frame;

thread_local Frame* innermost = nullptr;

void Push(Frame& frame) noexcept {
  frame.outer = innermost;
  innermost = &frame;
}

// Takes a frame out of the chain, wherever it is (a scope ended out of order leaves the
// others as they were).
bool Unlink(const Frame& frame) noexcept {
  if (innermost == &frame) {
    innermost = frame.outer;
    return true;
  }
  for (Frame* inner = innermost; inner != nullptr; inner = inner->outer) {
    if (inner->outer == &frame) {
      inner->outer = frame.outer;
      return true;
    }
  }
  return false;
}

// A context attached through opentelemetry-cpp's API: allocated, as its token is.
struct AttachedFrame final : Frame {
  explicit AttachedFrame(const context::Context& attached) : held(attached) { context = &held; }
  const context::Context held;
};

const nostd::shared_ptr<trace::Span>& NoSpan() {
  static const nostd::shared_ptr<trace::Span> none(
      new trace::DefaultSpan(trace::SpanContext::GetInvalid()));
  return none;
}

// opentelemetry-cpp's runtime context, served from the thread's chain of frames.
class FrameStorage final : public context::RuntimeContextStorage {
 public:
  // The innermost attached context, with the span made current inside it (if any) set in
  // it: built only when someone asks through the API.
  context::Context GetCurrent() noexcept override {
    const Frame* span_frame = nullptr;
    for (const Frame* frame = innermost; frame != nullptr; frame = frame->outer) {
      if (frame->context != nullptr) {
        if (span_frame == nullptr) return *frame->context;
        auto current = *frame->context;
        return current.SetValue(trace::kSpanKey, *span_frame->span);
      }
      if (span_frame == nullptr) span_frame = frame;
    }
    if (span_frame == nullptr) return context::Context();
    return context::Context(trace::kSpanKey, *span_frame->span);
  }

  nostd::unique_ptr<context::Token> Attach(const context::Context& attached) noexcept override {
    if (auto* frame = new (std::nothrow) AttachedFrame(attached)) Push(*frame);
    return CreateToken(attached);
  }

  bool Detach(context::Token& token) noexcept override {
    for (Frame* frame = innermost; frame != nullptr; frame = frame->outer) {
      if (frame->span == nullptr && frame->context != nullptr && token == *frame->context) {
        Unlink(*frame);
        delete static_cast<AttachedFrame*>(frame);
        return true;
      }
    }
    return false;
  }
};

// Installed before main, so that no context is ever attached to the default storage.
[[maybe_unused]] const bool kInstalled = [] {
  context::RuntimeContext::SetRuntimeContextStorage(
      nostd::shared_ptr<context::RuntimeContextStorage>(new FrameStorage()));
  return true;
}();

}  // namespace

ActiveSpan::ActiveSpan(nostd::shared_ptr<trace::Span> span) noexcept : span_(std::move(span)) {
  frame_.span = &span_;
  Push(frame_);
}

ActiveSpan::~ActiveSpan() { Unlink(frame_); }

// Every frame holds a span or a context, so the innermost one decides.
nostd::shared_ptr<trace::Span> CurrentSpan() noexcept {
  const Frame* frame = innermost;
  if (frame == nullptr) return NoSpan();
  if (frame->span != nullptr) return *frame->span;
  const auto value = frame->context->GetValue(trace::kSpanKey);
  if (const auto* span = nostd::get_if<nostd::shared_ptr<trace::Span>>(&value)) return *span;
  return NoSpan();
}

trace::SpanContext CurrentSpanContext() noexcept {
  const Frame* frame = innermost;
  if (frame == nullptr) return trace::SpanContext::GetInvalid();
  if (frame->span != nullptr) return (*frame->span)->GetContext();
  if (trace::IsRootSpan(*frame->context)) return trace::SpanContext::GetInvalid();
  return CurrentSpan()->GetContext();
}

}  // namespace fabtrace::telemetry
