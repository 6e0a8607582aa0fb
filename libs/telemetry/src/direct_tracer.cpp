#include "direct_tracer.h"

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <typeinfo>
#include <utility>
#include <vector>

#include "compact_recordable.h"
#include "fabtrace/telemetry/active_span.h"
#include "fabtrace/telemetry/start_attributes.h"
#include "opentelemetry/common/key_value_iterable.h"
#include "opentelemetry/sdk/instrumentationscope/instrumentation_scope.h"
#include "opentelemetry/sdk/trace/random_id_generator.h"
#include "opentelemetry/sdk/trace/recordable.h"
#include "opentelemetry/trace/context.h"
#include "opentelemetry/trace/default_span.h"
#include "opentelemetry/trace/span.h"
#include "opentelemetry/trace/span_context_kv_iterable.h"
#include "opentelemetry/trace/tracer.h"
#include "span_blocks.h"

namespace nostd = opentelemetry::nostd;
namespace common = opentelemetry::common;
namespace trace = opentelemetry::trace;
namespace sdktrace = opentelemetry::sdk::trace;
using opentelemetry::sdk::instrumentationscope::InstrumentationScope;

namespace fabtrace::telemetry::detail {

struct DirectTracerProvider::State {
  std::unique_ptr<sdktrace::SpanProcessor> processor;
  opentelemetry::sdk::resource::Resource resource;
  std::unique_ptr<sdktrace::Sampler> sampler;
  sdktrace::RandomIdGenerator ids;
};

namespace {

using State = DirectTracerProvider::State;

// The parent a new span gets, as the SDK decides it: a valid span context given in the
// options, else the span of the context given (none if it is marked root), else the
// thread's current span (read from its frames: no context is built for it).
trace::SpanContext ParentOf(const trace::StartSpanOptions& options) {
  const auto* given = nostd::get_if<opentelemetry::context::Context>(&options.parent);
  if (given == nullptr) {
    const auto* span_context = nostd::get_if<trace::SpanContext>(&options.parent);
    if (span_context != nullptr && span_context->IsValid()) return *span_context;
    return CurrentSpanContext();
  }
  if (trace::IsRootSpan(*given)) return trace::SpanContext::GetInvalid();
  const auto value = given->GetValue(trace::kSpanKey);
  if (const auto* span = nostd::get_if<nostd::shared_ptr<trace::Span>>(&value)) {
    return (*span)->GetContext();
  }
  return trace::SpanContext::GetInvalid();
}

template <class Clock, class Given>
typename Clock::time_point Or(const Given& given) {
  if (given.time_since_epoch().count() == 0) return Clock::now();
  return typename Clock::time_point(
      std::chrono::duration_cast<typename Clock::duration>(given.time_since_epoch()));
}

// A span that records nothing but carries its context (sampled out, or out of memory).
nostd::shared_ptr<trace::Span> NonRecording(const trace::SpanContext& context) {
  return nostd::shared_ptr<trace::Span>(new (std::nothrow) trace::DefaultSpan(context));
}

class DirectTracer;

// The lock of one span's calls. It is nearly always free (a span is written by the thread
// that runs its work), so taking it is one atomic exchange, where std::mutex's lock and
// unlock are a call into pthreads each (~60 instructions a pair, seven pairs a traced
// request). A second thread waits its turn, yielding.
class SpanLock {
 public:
  void lock() noexcept {
    while (taken_.test_and_set(std::memory_order_acquire)) std::this_thread::yield();
  }
  void unlock() noexcept { taken_.clear(std::memory_order_release); }

 private:
  std::atomic_flag taken_;  // clear
};

// A recording span. Its recordable is handed to the processor when it ends (if sampled);
// every call after that is ignored. Calls are serialised by a lock, as the API asks.
class DirectSpan final : public trace::Span {
 public:
  DirectSpan(std::shared_ptr<const DirectTracer> tracer, const trace::SpanContext& context,
             std::unique_ptr<sdktrace::Recordable> recordable,
             std::chrono::steady_clock::time_point start)
      : tracer_(std::move(tracer)),
        context_(context),
        recordable_(std::move(recordable)),
        start_(start) {}
  ~DirectSpan() override { End({}); }

  using trace::Span::AddEvent;

  void SetAttribute(nostd::string_view key, const common::AttributeValue& value) noexcept override {
    const std::lock_guard lock(serial_);
    if (recordable_) recordable_->SetAttribute(key, value);
  }
  void AddEvent(nostd::string_view name) noexcept override {
    AddEvent(name, std::chrono::system_clock::now(), common::NoopKeyValueIterable());
  }
  void AddEvent(nostd::string_view name, common::SystemTimestamp timestamp) noexcept override {
    AddEvent(name, timestamp, common::NoopKeyValueIterable());
  }
  void AddEvent(nostd::string_view name, common::SystemTimestamp timestamp,
                const common::KeyValueIterable& attributes) noexcept override {
    const std::lock_guard lock(serial_);
    if (recordable_) recordable_->AddEvent(name, timestamp, attributes);
  }
  void SetStatus(trace::StatusCode code, nostd::string_view description) noexcept override {
    const std::lock_guard lock(serial_);
    if (recordable_) recordable_->SetStatus(code, description);
  }
  void UpdateName(nostd::string_view name) noexcept override {
    const std::lock_guard lock(serial_);
    if (recordable_) recordable_->SetName(name);
  }
  void End(const trace::EndSpanOptions& options) noexcept override;
  trace::SpanContext GetContext() const noexcept override { return context_; }
  bool IsRecording() const noexcept override {
    const std::lock_guard lock(serial_);
    return recordable_ != nullptr;
  }

 private:
  std::shared_ptr<const DirectTracer> tracer_;  // keeps the processor and scope alive
  const trace::SpanContext context_;
  mutable SpanLock serial_;
  std::unique_ptr<sdktrace::Recordable> recordable_;  // null once ended
  const std::chrono::steady_clock::time_point start_;
};

// A span and its control block share one of the thread's kept blocks (span_blocks.h).
static_assert(sizeof(DirectSpan) + 32 <= SpanBlocks::kBlockSize);

class DirectTracer final : public trace::Tracer, public std::enable_shared_from_this<DirectTracer> {
 public:
  DirectTracer(std::shared_ptr<State> state, nostd::unique_ptr<InstrumentationScope> scope)
      : state_(std::move(state)), scope_(std::move(scope)) {}

  nostd::shared_ptr<trace::Span> StartSpan(
      nostd::string_view name, const common::KeyValueIterable& attributes,
      const trace::SpanContextKeyValueIterable& links,
      const trace::StartSpanOptions& options) noexcept override;

  void ForceFlushWithMicroseconds(uint64_t timeout) noexcept override {
    state_->processor->ForceFlush(std::chrono::microseconds(timeout));
  }
  // Closing one tracer flushes; the provider's Shutdown stops the processor.
  void CloseWithMicroseconds(uint64_t timeout) noexcept override {
    ForceFlushWithMicroseconds(timeout);
  }

  const InstrumentationScope& scope() const { return *scope_; }
  bool Is(nostd::string_view name, nostd::string_view version,
          nostd::string_view schema_url) const {
    return scope_->GetName() == name && scope_->GetVersion() == version &&
           scope_->GetSchemaURL() == schema_url;
  }
  sdktrace::SpanProcessor& processor() const { return *state_->processor; }

 private:
  std::shared_ptr<State> state_;
  nostd::unique_ptr<InstrumentationScope> scope_;
};

void DirectSpan::End(const trace::EndSpanOptions& options) noexcept {
  std::unique_ptr<sdktrace::Recordable> finished;
  {
    const std::lock_guard lock(serial_);
    finished = std::move(recordable_);
  }
  if (!finished) return;
  finished->SetDuration(Or<std::chrono::steady_clock>(options.end_steady_time) - start_);
  if (context_.IsSampled()) tracer_->processor().OnEnd(std::move(finished));
}

nostd::shared_ptr<trace::Span> DirectTracer::StartSpan(
    nostd::string_view name, const common::KeyValueIterable& attributes,
    const trace::SpanContextKeyValueIterable& links,
    const trace::StartSpanOptions& options) noexcept {
  const auto parent = ParentOf(options);
  const bool has_parent = parent.IsValid();
  const auto trace_id = has_parent ? parent.trace_id() : state_->ids.GenerateTraceId();
  auto sampling =
      state_->sampler->ShouldSample(parent, trace_id, name, options.kind, attributes, links);
  const trace::TraceFlags flags(sampling.IsSampled() ? trace::TraceFlags::kIsSampled : 0);
  auto trace_state = sampling.trace_state ? sampling.trace_state
                     : has_parent         ? parent.trace_state()
                                          : trace::TraceState::GetDefault();
  const trace::SpanContext context(trace_id, state_->ids.GenerateSpanId(), flags, false,
                                   std::move(trace_state));
  if (!sampling.IsRecording()) {
    return NonRecording(context);
  }

  auto recordable = state_->processor->MakeRecordable();
  if (!recordable) return NonRecording(context);
  recordable->SetIdentity(context, has_parent ? parent.span_id() : trace::SpanId());
  recordable->SetName(name);
  recordable->SetSpanKind(options.kind);
  recordable->SetTraceFlags(flags);
  recordable->SetResource(state_->resource);
  recordable->SetInstrumentationScope(*scope_);
  recordable->SetStartTime(Or<std::chrono::system_clock>(options.start_system_time));
  // The span is nobody else's yet: no lock while the start attributes go in. Ours (the
  // instrumentation's StartAttributes into the compact recordable) go in one call.
  auto* compact = typeid(attributes) == typeid(StartAttributes)
                      ? dynamic_cast<CompactRecordable*>(recordable.get())
                      : nullptr;
  if (compact != nullptr) {
    compact->SetAttributes(static_cast<const StartAttributes&>(attributes));
  } else {
    attributes.ForEachKeyValue([&](nostd::string_view key, common::AttributeValue value) noexcept {
      recordable->SetAttribute(key, value);
      return true;
    });
  }
  if (sampling.attributes) {
    for (const auto& [key, value] : *sampling.attributes) recordable->SetAttribute(key, value);
  }
  links.ForEachKeyValue(
      [&](trace::SpanContext link, const common::KeyValueIterable& link_attributes) noexcept {
        recordable->AddLink(link, link_attributes);
        return true;
      });
  state_->processor->OnStart(*recordable, parent);
  try {
    return nostd::shared_ptr<trace::Span>(std::allocate_shared<DirectSpan>(
        SpanBlockAllocator<DirectSpan>(), shared_from_this(), context, std::move(recordable),
        Or<std::chrono::steady_clock>(options.start_steady_time)));
  } catch (const std::bad_alloc&) {
    return NonRecording(context);
  }
}

}  // namespace

DirectTracerProvider::DirectTracerProvider(std::unique_ptr<sdktrace::SpanProcessor> processor,
                                           opentelemetry::sdk::resource::Resource resource,
                                           std::unique_ptr<sdktrace::Sampler> sampler)
    : state_(std::make_shared<State>(
          State{std::move(processor), std::move(resource), std::move(sampler), {}})) {}

DirectTracerProvider::~DirectTracerProvider() = default;

nostd::shared_ptr<trace::Tracer> DirectTracerProvider::GetTracer(
    nostd::string_view name, nostd::string_view version, nostd::string_view schema_url) noexcept {
  const std::lock_guard lock(mutex_);
  for (const auto& tracer : tracers_) {
    if (static_cast<const DirectTracer&>(*tracer).Is(name, version, schema_url)) {
      return nostd::shared_ptr<trace::Tracer>(tracer);
    }
  }
  auto tracer = std::make_shared<DirectTracer>(
      state_, InstrumentationScope::Create(name, version, schema_url));
  tracers_.push_back(tracer);
  return nostd::shared_ptr<trace::Tracer>(std::shared_ptr<trace::Tracer>(tracer));
}

bool DirectTracerProvider::ForceFlush(std::chrono::microseconds timeout) noexcept {
  return state_->processor->ForceFlush(timeout);
}

bool DirectTracerProvider::Shutdown(std::chrono::microseconds timeout) noexcept {
  return state_->processor->Shutdown(timeout);
}

}  // namespace fabtrace::telemetry::detail
