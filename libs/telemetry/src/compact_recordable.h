// A span as the SDK records it, kept in plain C++ values (no protobuf objects) and its
// attributes already in OTLP's wire format, and its encoding as an OTLP
// ExportTraceServiceRequest (its attributes: encoded_attributes.h). Recording an attribute
// writes its bytes once instead of building, and later copying and destroying, protobuf
// messages: see docs/performance.md for what that saves.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "encoded_attributes.h"
#include "fabtrace/telemetry/start_attributes.h"
#include "opentelemetry/nostd/span.h"
#include "opentelemetry/sdk/trace/recordable.h"

namespace fabtrace::telemetry::detail {

// At most this many events and links per span (the SDK's defaults); more are counted as
// dropped.
inline constexpr std::size_t kMaxEvents = 128;
inline constexpr std::size_t kMaxLinks = 128;

struct SpanEvent {
  std::string name;
  std::uint64_t time_unix_nano = 0;
  Attributes attributes{3};
};

struct SpanLink {
  std::array<std::uint8_t, 16> trace_id{};
  std::array<std::uint8_t, 8> span_id{};
  std::string trace_state;
  std::uint8_t flags = 0;
  Attributes attributes{4};
};

class CompactRecordable final : public opentelemetry::sdk::trace::Recordable {
 public:
  CompactRecordable() = default;

  // Makes this a new, empty recordable, as if just constructed, keeping the room of its
  // attribute store when that is of the usual size (a recycled recordable allocates
  // nothing for its attributes).
  void Reset();
  // Hints that this recordable is about to be used (written when taken from the pool, read
  // when encoded): its own bytes (Lines) or the stores they point to (Stores, once its own
  // bytes are in the cache). See RecordablePool::Take.
  void PrefetchLines() const;
  void PrefetchStores() const { attributes.Prefetch(); }

  void SetIdentity(const opentelemetry::trace::SpanContext& span_context,
                   opentelemetry::trace::SpanId parent_span_id) noexcept override;
  void SetAttribute(opentelemetry::nostd::string_view key,
                    const opentelemetry::common::AttributeValue& value) noexcept override;
  // The same for each of a span's start attributes, and its fixed ones in one block, called
  // directly by our tracer (not through the SDK's iterable and a virtual call per attribute).
  void SetAttributes(const StartAttributes& start) noexcept;
  void AddEvent(opentelemetry::nostd::string_view name,
                opentelemetry::common::SystemTimestamp timestamp,
                const opentelemetry::common::KeyValueIterable& attributes) noexcept override;
  void AddLink(const opentelemetry::trace::SpanContext& span_context,
               const opentelemetry::common::KeyValueIterable& attributes) noexcept override;
  void SetStatus(opentelemetry::trace::StatusCode code,
                 opentelemetry::nostd::string_view description) noexcept override;
  void SetName(opentelemetry::nostd::string_view name) noexcept override;
  void SetTraceFlags(opentelemetry::trace::TraceFlags flags) noexcept override;
  void SetSpanKind(opentelemetry::trace::SpanKind span_kind) noexcept override;
  void SetResource(const opentelemetry::sdk::resource::Resource& resource) noexcept override;
  void SetStartTime(opentelemetry::common::SystemTimestamp start_time) noexcept override;
  void SetDuration(std::chrono::nanoseconds duration) noexcept override;
  void SetInstrumentationScope(const opentelemetry::sdk::instrumentationscope::InstrumentationScope&
                                   instrumentation_scope) noexcept override;

  // What the encoder reads.
  std::array<std::uint8_t, 16> trace_id{};
  std::array<std::uint8_t, 8> span_id{};
  std::array<std::uint8_t, 8> parent_span_id{};
  bool has_parent = false;
  std::string trace_state;
  std::uint8_t flags = 0;
  std::string name;
  int kind = 1;  // OTLP's SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer
  std::uint64_t start_unix_nano = 0;
  std::uint64_t end_unix_nano = 0;
  Attributes attributes{9};
  std::vector<SpanEvent> events;
  std::uint32_t dropped_events = 0;
  std::vector<SpanLink> links;
  std::uint32_t dropped_links = 0;
  int status_code = 0;  // OTLP's StatusCode: 0 unset, 1 ok, 2 error
  std::string status_message;
  const opentelemetry::sdk::resource::Resource* resource = nullptr;
  const opentelemetry::sdk::instrumentationscope::InstrumentationScope* scope = nullptr;
};

// Recordables handed back after export, to be handed out again: recording a span then
// allocates nothing for its recordable, and the export thread frees nothing that the
// request threads allocated. Thread-safe; holds at most `capacity`.
class RecordablePool {
 public:
  explicit RecordablePool(std::size_t capacity) : capacity_(capacity) {}

  // The last recordable given back (the most recently used memory). It also prefetches
  // the next ones: recordables come back from the export thread in batches, and by the
  // time one is taken again its memory has left the cache, so the first write to it used
  // to wait for memory (docs/performance.md, "the fifth pass").
  std::unique_ptr<CompactRecordable> Take();
  // Takes back the exported spans (all CompactRecordables), leaving their places empty.
  void GiveBack(
      const opentelemetry::nostd::span<std::unique_ptr<opentelemetry::sdk::trace::Recordable>>&
          spans);

 private:
  const std::size_t capacity_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<CompactRecordable>> free_;
};

// Writes the OTLP/protobuf ExportTraceServiceRequest of `spans` (all CompactRecordables)
// at out[at], over what is there, growing `out` when it is too short (never shrinking it),
// and returns where the request ends: one ResourceSpans per resource, one ScopeSpans per
// instrumentation scope, spans in the order given. A buffer reused for every batch is so
// neither cleared nor zero-filled again.
std::size_t EncodeExportRequestAt(
    const opentelemetry::nostd::span<std::unique_ptr<opentelemetry::sdk::trace::Recordable>>& spans,
    std::string& out, std::size_t at);

// The same request appended to `out`.
void EncodeExportRequest(
    const opentelemetry::nostd::span<std::unique_ptr<opentelemetry::sdk::trace::Recordable>>& spans,
    std::string& out);

}  // namespace fabtrace::telemetry::detail
