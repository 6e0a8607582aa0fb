// A span as the SDK records it, kept in plain C++ values (no protobuf objects) and its
// attributes already in OTLP's wire format, and its encoding as an OTLP
// ExportTraceServiceRequest. Recording an attribute writes its bytes once instead of
// building, and later copying and destroying, protobuf messages: see docs/performance.md
// for what that saves.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "opentelemetry/nostd/span.h"
#include "opentelemetry/sdk/common/attribute_utils.h"
#include "opentelemetry/sdk/trace/recordable.h"

namespace fabtrace::telemetry::detail {

// At most this many attributes per span, event or link (OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT's
// default); more are counted as dropped.
inline constexpr std::size_t kMaxAttributes = 128;
inline constexpr std::size_t kMaxEvents = 128;
inline constexpr std::size_t kMaxLinks = 128;

// The attributes of a span, an event or a link, kept as OTLP writes them: each one a
// KeyValue field of the message that owns them (Span's field 9, Event's 3, Link's 4),
// back to back. Recording an attribute writes its bytes once, into a store that a
// recycled recordable keeps; exporting copies the store whole (docs/performance.md).
class Attributes {
 public:
  // One of 64 bits for a key (from its length and two of its bytes): a key whose bit is
  // not set was not set before, and needs no search for a value to replace.
  static std::uint64_t KeyBit(std::string_view key) {
    if (key.empty()) return 1;
    return std::uint64_t{1} << ((key.size() ^ (static_cast<unsigned char>(key.front()) << 1) ^
                                 (static_cast<unsigned char>(key.back()) << 3)) &
                                63);
  }

  explicit Attributes(std::uint8_t field) : field_(field) {}

  // Sets or replaces key's value (the specification's "overwrite" rule: a replaced
  // attribute moves to the end). Integers are written as int64, the only kind OTLP has.
  void Set(opentelemetry::nostd::string_view key,
           const opentelemetry::common::AttributeValue& value);
  void SetAll(const opentelemetry::common::KeyValueIterable& attributes);

  // The KeyValue fields, ready to be copied into the owner's message.
  std::string_view encoded() const { return {room_.data(), used_}; }
  std::size_t size() const { return slots_.size(); }
  // Forgets every attribute, keeping the room of the store when it is of the usual size.
  void Clear();
  // Asks the CPU to bring the store's first bytes and its slots into the cache (a hint:
  // it neither blocks nor changes anything).
  void Prefetch() const;

  std::uint32_t dropped = 0;

  // Where one attribute lies in room_: its whole field, and its key's bytes.
  struct Slot {
    std::uint32_t begin = 0;
    std::uint32_t size = 0;
    std::uint32_t key_begin = 0;
    std::uint32_t key_size = 0;
  };

 private:
  void Remove(std::vector<Slot>::iterator slot);

  std::uint8_t field_;
  std::vector<Slot> slots_;
  std::string room_;  // its first used_ bytes are the fields; its size only grows
  std::size_t used_ = 0;
  std::uint64_t keys_seen_ = 0;  // KeyBit of every key set: most keys are new, unsearched
};

// The KeyValue fields (field number `field`) of attributes held by the SDK as owned values
// (a resource's, an instrumentation scope's), appended to `out`.
void EncodeOwnedAttributes(
    std::uint8_t field,
    const std::unordered_map<std::string, opentelemetry::sdk::common::OwnedAttributeValue>&
        attributes,
    std::string& out);

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
  // The same for each of a span's start attributes, called directly by our tracer (not
  // through the SDK's iterable and a virtual call per attribute).
  void SetAttributes(
      opentelemetry::nostd::span<
          const std::pair<opentelemetry::nostd::string_view, opentelemetry::common::AttributeValue>>
          items) noexcept;
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
