// A span as the SDK records it, kept in plain C++ values (no protobuf objects), and its
// encoding as an OTLP ExportTraceServiceRequest. Recording an attribute costs a string
// copy or two instead of building, and later copying and destroying, protobuf messages:
// see docs/performance.md for what that saves.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "opentelemetry/nostd/span.h"
#include "opentelemetry/sdk/trace/recordable.h"

namespace fabtrace::telemetry::detail {

// A scalar item of an array attribute (OTLP's AnyValue kinds).
using ScalarValue = std::variant<bool, std::int64_t, double, std::string>;

// Where a string lives in its Attributes' byte store.
struct TextRef {
  std::uint32_t offset = 0;
  std::uint32_t size = 0;
};

enum class AttributeKind : std::uint8_t { kBool, kInt, kDouble, kString, kArray };

// One attribute: a plain value, its key and string kept in the owner's byte store, so
// recording one allocates nothing (docs/performance.md).
struct Attribute {
  TextRef key;
  AttributeKind kind = AttributeKind::kBool;
  union {
    bool boolean;
    std::int64_t integer;
    double number;
    TextRef string;
    std::uint32_t array;  // index into Attributes::arrays
  } value{};
};

// At most this many attributes per span, event or link (OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT's
// default); more are counted as dropped.
inline constexpr std::size_t kMaxAttributes = 128;
inline constexpr std::size_t kMaxEvents = 128;
inline constexpr std::size_t kMaxLinks = 128;

struct Attributes {
  std::vector<Attribute> items;
  std::string strings;  // the keys and string values, back to back
  std::vector<std::vector<ScalarValue>> arrays;
  std::uint32_t dropped = 0;

  // Sets or replaces key's value (the specification's "overwrite" rule).
  void Set(opentelemetry::nostd::string_view key,
           const opentelemetry::common::AttributeValue& value);
  void SetAll(const opentelemetry::common::KeyValueIterable& attributes);

  std::string_view Text(TextRef ref) const { return {strings.data() + ref.offset, ref.size}; }

 private:
  TextRef Append(std::string_view text);
  void Store(Attribute& target, const opentelemetry::common::AttributeValue& value);
  void StoreText(Attribute& target, std::string_view text);
  void StoreArray(Attribute& target, std::vector<ScalarValue> elements);
};

struct SpanEvent {
  std::string name;
  std::uint64_t time_unix_nano = 0;
  Attributes attributes;
};

struct SpanLink {
  std::array<std::uint8_t, 16> trace_id{};
  std::array<std::uint8_t, 8> span_id{};
  std::string trace_state;
  std::uint8_t flags = 0;
  Attributes attributes;
};

class CompactRecordable final : public opentelemetry::sdk::trace::Recordable {
 public:
  CompactRecordable() {  // a server span sets about 12 attributes, ~400 bytes of text
    attributes.items.reserve(16);
    attributes.strings.reserve(512);
  }

  struct Bare {};  // a recordable without the reserved room (Reset's)
  explicit CompactRecordable(Bare) {}

  // Makes this a new, empty recordable, as if just constructed, keeping the room of its
  // attribute store when that is of the usual size (a recycled recordable allocates
  // nothing for its attributes).
  void Reset();

  void SetIdentity(const opentelemetry::trace::SpanContext& span_context,
                   opentelemetry::trace::SpanId parent_span_id) noexcept override;
  void SetAttribute(opentelemetry::nostd::string_view key,
                    const opentelemetry::common::AttributeValue& value) noexcept override;
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
  Attributes attributes;
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

// Appends the OTLP/protobuf ExportTraceServiceRequest of `spans` (all CompactRecordables)
// to `out`: one ResourceSpans per resource, one ScopeSpans per instrumentation scope,
// spans in the order given.
void EncodeExportRequest(
    const opentelemetry::nostd::span<std::unique_ptr<opentelemetry::sdk::trace::Recordable>>& spans,
    std::string& out);

}  // namespace fabtrace::telemetry::detail
