#include "compact_recordable.h"

#include <algorithm>
#include <type_traits>
#include <utility>

#include "opentelemetry/sdk/instrumentationscope/instrumentation_scope.h"
#include "opentelemetry/sdk/resource/resource.h"
#include "proto_writer.h"

namespace common = opentelemetry::common;
namespace nostd = opentelemetry::nostd;
namespace sdktrace = opentelemetry::sdk::trace;
namespace trace = opentelemetry::trace;

namespace fabtrace::telemetry::detail {
namespace {

template <typename T>
ScalarValue Scalar(const T& item) {
  if constexpr (std::is_same_v<T, bool>) {
    return item;
  } else if constexpr (std::is_integral_v<T>) {
    return static_cast<std::int64_t>(item);
  } else if constexpr (std::is_floating_point_v<T>) {
    return static_cast<double>(item);
  } else {
    return std::string(item.data(), item.size());
  }
}

std::uint64_t UnixNanos(common::SystemTimestamp timestamp) {
  return static_cast<std::uint64_t>(timestamp.time_since_epoch().count());
}

template <std::size_t N>
std::string_view View(const std::array<std::uint8_t, N>& bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), N};
}

// --- encoding ------------------------------------------------------------------------

// AnyValue fields: 1 string, 2 bool, 3 int, 4 double, 5 array. One scalar item (bool,
// int64, double or string), and the size of its AnyValue body, known before writing it.
template <typename T>
void EncodeScalarItem(ProtoWriter& writer, const T& item) {
  if constexpr (std::is_same_v<T, bool>) {
    writer.Varint(2, item ? 1 : 0);
  } else if constexpr (std::is_same_v<T, std::int64_t>) {
    writer.Varint(3, static_cast<std::uint64_t>(item));
  } else if constexpr (std::is_same_v<T, double>) {
    writer.Double(4, item);
  } else {
    writer.Bytes(1, item);
  }
}

template <typename T>
std::size_t ScalarItemSize(const T& item) {
  if constexpr (std::is_same_v<T, bool>) {
    return 2;
  } else if constexpr (std::is_same_v<T, std::int64_t>) {
    return 1 + ProtoWriter::VarintSize(static_cast<std::uint64_t>(item));
  } else if constexpr (std::is_same_v<T, double>) {
    return 9;
  } else {
    return ProtoWriter::FieldSize(item.size());
  }
}

// KeyValue: 1 key, 2 value. A scalar (nearly every attribute) is written with its lengths
// computed first; an array reserves room for its length and closes the gap.
template <typename T>
void EncodeScalarKeyValue(ProtoWriter& writer, std::uint32_t field, std::string_view key,
                          const T& item) {
  const auto any_size = ScalarItemSize(item);
  writer.Header(field, ProtoWriter::FieldSize(key.size()) + ProtoWriter::FieldSize(any_size));
  writer.Bytes(1, key);
  writer.Header(2, any_size);
  EncodeScalarItem(writer, item);
}

void EncodeArrayKeyValue(ProtoWriter& writer, std::uint32_t field, std::string_view key,
                         const std::vector<ScalarValue>& elements) {
  const auto at = writer.Begin(field);
  writer.Bytes(1, key);
  const auto value_at = writer.Begin(2);
  const auto array_at = writer.Begin(5);
  for (const auto& element : elements) {
    const auto element_at = writer.Begin(1);
    std::visit([&writer](const auto& one) { EncodeScalarItem(writer, one); }, element);
    writer.End(element_at);
  }
  writer.End(array_at);
  writer.End(value_at);
  writer.End(at);
}

void EncodeAttributes(ProtoWriter& writer, std::uint32_t field, const Attributes& attributes) {
  for (const auto& attribute : attributes.items) {
    const auto key = attributes.Text(attribute.key);
    switch (attribute.kind) {
      case AttributeKind::kBool:
        EncodeScalarKeyValue(writer, field, key, attribute.value.boolean);
        break;
      case AttributeKind::kInt:
        EncodeScalarKeyValue(writer, field, key, attribute.value.integer);
        break;
      case AttributeKind::kDouble:
        EncodeScalarKeyValue(writer, field, key, attribute.value.number);
        break;
      case AttributeKind::kString:
        EncodeScalarKeyValue(writer, field, key, attributes.Text(attribute.value.string));
        break;
      case AttributeKind::kArray:
        EncodeArrayKeyValue(writer, field, key, attributes.arrays[attribute.value.array]);
        break;
    }
  }
}

// The SDK's owned values (resource and scope attributes) take the same shapes.
template <typename Map>
void EncodeOwnedAttributes(ProtoWriter& writer, std::uint32_t field, const Map& attributes) {
  for (const auto& [key, value] : attributes) {
    nostd::visit(
        [&writer, field, &key](const auto& item) {
          using T = std::decay_t<decltype(item)>;
          if constexpr (std::is_same_v<T, std::string>) {
            EncodeScalarKeyValue(writer, field, key, std::string_view(item));
          } else if constexpr (std::is_arithmetic_v<T>) {
            std::visit([&](const auto& one) { EncodeScalarKeyValue(writer, field, key, one); },
                       Scalar(item));
          } else {
            using Element = typename T::value_type;  // vector<bool> yields proxies
            std::vector<ScalarValue> elements;
            elements.reserve(item.size());
            for (const auto& element : item) {
              if constexpr (std::is_same_v<Element, std::string>) {
                elements.emplace_back(element);
              } else {
                elements.push_back(Scalar(static_cast<Element>(element)));
              }
            }
            EncodeArrayKeyValue(writer, field, key, elements);
          }
        },
        value);
  }
}

// Span: 1 trace_id, 2 span_id, 3 trace_state, 4 parent_span_id, 5 name, 6 kind,
// 7 start, 8 end, 9 attributes, 10 dropped attributes, 11 events, 12 dropped events,
// 13 links, 14 dropped links, 15 status, 16 flags.
void EncodeSpan(ProtoWriter& writer, const CompactRecordable& span) {
  const auto at = writer.Begin(2);
  writer.Bytes(1, View(span.trace_id));
  writer.Bytes(2, View(span.span_id));
  writer.BytesIfSet(3, span.trace_state);
  if (span.has_parent) writer.Bytes(4, View(span.parent_span_id));
  writer.Bytes(5, span.name);
  writer.Varint(6, static_cast<std::uint64_t>(span.kind));
  writer.Fixed64(7, span.start_unix_nano);
  writer.Fixed64(8, span.end_unix_nano);
  EncodeAttributes(writer, 9, span.attributes);
  writer.VarintIfSet(10, span.attributes.dropped);
  for (const auto& event : span.events) {
    const auto event_at = writer.Begin(11);
    writer.Fixed64(1, event.time_unix_nano);
    writer.Bytes(2, event.name);
    EncodeAttributes(writer, 3, event.attributes);
    writer.VarintIfSet(4, event.attributes.dropped);
    writer.End(event_at);
  }
  writer.VarintIfSet(12, span.dropped_events);
  for (const auto& link : span.links) {
    const auto link_at = writer.Begin(13);
    writer.Bytes(1, View(link.trace_id));
    writer.Bytes(2, View(link.span_id));
    writer.BytesIfSet(3, link.trace_state);
    EncodeAttributes(writer, 4, link.attributes);
    writer.VarintIfSet(5, link.attributes.dropped);
    writer.Fixed32(6, link.flags);
    writer.End(link_at);
  }
  writer.VarintIfSet(14, span.dropped_links);
  if (span.status_code != 0) {
    const auto status_at = writer.Begin(15);
    writer.BytesIfSet(2, span.status_message);
    writer.Varint(3, static_cast<std::uint64_t>(span.status_code));
    writer.End(status_at);
  }
  writer.Fixed32(16, span.flags);
  writer.End(at);
}

}  // namespace

void Attributes::Set(nostd::string_view key, const common::AttributeValue& value) {
  const std::string_view name(key.data(), key.size());
  for (auto& existing : items) {
    if (Text(existing.key) == name) {
      Store(existing, value);
      return;
    }
  }
  if (items.size() >= kMaxAttributes) {
    ++dropped;
    return;
  }
  Attribute added;
  added.key = Append(name);
  Store(added, value);
  items.push_back(added);  // a plain value: nothing half-recorded if the above threw
}

TextRef Attributes::Append(std::string_view text) {
  const TextRef ref{static_cast<std::uint32_t>(strings.size()),
                    static_cast<std::uint32_t>(text.size())};
  strings.append(text);
  return ref;
}

void Attributes::StoreText(Attribute& target, std::string_view text) {
  // A replaced string reuses its room when the new one fits.
  if (target.kind == AttributeKind::kString && text.size() <= target.value.string.size) {
    std::copy(text.begin(), text.end(), strings.begin() + target.value.string.offset);
    target.value.string.size = static_cast<std::uint32_t>(text.size());
    return;
  }
  const auto ref = Append(text);
  target.kind = AttributeKind::kString;
  target.value.string = ref;
}

void Attributes::StoreArray(Attribute& target, std::vector<ScalarValue> elements) {
  if (target.kind == AttributeKind::kArray) {
    arrays[target.value.array] = std::move(elements);
    return;
  }
  arrays.push_back(std::move(elements));
  target.kind = AttributeKind::kArray;
  target.value.array = static_cast<std::uint32_t>(arrays.size() - 1);
}

// The SDK's value (a nostd::variant of scalars, C strings, string views and spans) as
// ours: integers become int64 (as OTLP has only that), strings are copied.
void Attributes::Store(Attribute& target, const common::AttributeValue& value) {
  nostd::visit(
      [this, &target](const auto& item) {
        using T = std::decay_t<decltype(item)>;
        if constexpr (std::is_same_v<T, const char*>) {
          StoreText(target, item ? std::string_view(item) : std::string_view());
        } else if constexpr (std::is_same_v<T, nostd::string_view>) {
          StoreText(target, std::string_view(item.data(), item.size()));
        } else if constexpr (std::is_same_v<T, bool>) {
          target.kind = AttributeKind::kBool;
          target.value.boolean = item;
        } else if constexpr (std::is_integral_v<T>) {
          target.kind = AttributeKind::kInt;
          target.value.integer = static_cast<std::int64_t>(item);
        } else if constexpr (std::is_floating_point_v<T>) {
          target.kind = AttributeKind::kDouble;
          target.value.number = static_cast<double>(item);
        } else {  // a span of scalars or string views
          std::vector<ScalarValue> elements;
          elements.reserve(item.size());
          for (const auto& element : item) elements.push_back(Scalar(element));
          StoreArray(target, std::move(elements));
        }
      },
      value);
}

void Attributes::SetAll(const common::KeyValueIterable& attributes) {
  items.reserve(items.size() + attributes.size());
  attributes.ForEachKeyValue([this](nostd::string_view key, common::AttributeValue value) {
    Set(key, value);
    return true;
  });
}

namespace {

// The ids, flags and trace state of a span context, as a span or a link records them.
template <typename Target>
void CopyContext(const trace::SpanContext& context, Target& target) {
  std::copy_n(context.trace_id().Id().data(), target.trace_id.size(), target.trace_id.begin());
  std::copy_n(context.span_id().Id().data(), target.span_id.size(), target.span_id.begin());
  target.flags = context.trace_flags().flags();
  if (const auto& state = context.trace_state(); state && !state->Empty()) {
    target.trace_state = state->ToHeader();
  }
}

}  // namespace

void CompactRecordable::Reset() {
  // Stores grown far beyond the usual (a span with a 300 KB value) are not kept.
  constexpr std::size_t kKeptItems = 64;
  constexpr std::size_t kKeptBytes = 4096;
  auto items = std::move(attributes.items);
  auto strings = std::move(attributes.strings);
  *this = CompactRecordable(Bare{});
  if (items.capacity() <= kKeptItems && strings.capacity() <= kKeptBytes) {
    items.clear();
    strings.clear();
    attributes.items = std::move(items);
    attributes.strings = std::move(strings);
  } else {
    attributes.items.reserve(16);
    attributes.strings.reserve(512);
  }
}

std::unique_ptr<CompactRecordable> RecordablePool::Take() {
  {
    const std::lock_guard lock(mutex_);
    if (!free_.empty()) {
      auto recordable = std::move(free_.back());
      free_.pop_back();
      return recordable;
    }
  }
  return std::make_unique<CompactRecordable>();
}

void RecordablePool::GiveBack(
    const opentelemetry::nostd::span<std::unique_ptr<opentelemetry::sdk::trace::Recordable>>&
        spans) {
  std::vector<std::unique_ptr<CompactRecordable>> returned;
  returned.reserve(spans.size());
  for (auto& span : spans) {
    if (!span) continue;
    auto recordable =
        std::unique_ptr<CompactRecordable>(static_cast<CompactRecordable*>(span.release()));
    recordable->Reset();
    returned.push_back(std::move(recordable));
  }
  const std::lock_guard lock(mutex_);
  for (auto& recordable : returned) {
    if (free_.size() >= capacity_) break;  // the rest are freed with `returned`
    free_.push_back(std::move(recordable));
  }
}

void CompactRecordable::SetIdentity(const trace::SpanContext& span_context,
                                    trace::SpanId parent) noexcept {
  CopyContext(span_context, *this);
  has_parent = parent.IsValid();
  if (has_parent) std::copy_n(parent.Id().data(), parent_span_id.size(), parent_span_id.begin());
}

void CompactRecordable::SetAttribute(nostd::string_view key,
                                     const common::AttributeValue& value) noexcept {
  try {
    attributes.Set(key, value);
  } catch (...) {  // out of memory: the attribute is lost, never the request
    ++attributes.dropped;
  }
}

void CompactRecordable::AddEvent(nostd::string_view event_name, common::SystemTimestamp timestamp,
                                 const common::KeyValueIterable& event_attributes) noexcept {
  if (events.size() >= kMaxEvents) {
    ++dropped_events;
    return;
  }
  try {
    SpanEvent event;
    event.name.assign(event_name.data(), event_name.size());
    event.time_unix_nano = UnixNanos(timestamp);
    event.attributes.SetAll(event_attributes);
    events.push_back(std::move(event));
  } catch (...) {
    ++dropped_events;
  }
}

void CompactRecordable::AddLink(const trace::SpanContext& span_context,
                                const common::KeyValueIterable& link_attributes) noexcept {
  if (links.size() >= kMaxLinks) {
    ++dropped_links;
    return;
  }
  try {
    SpanLink link;
    CopyContext(span_context, link);
    link.attributes.SetAll(link_attributes);
    links.push_back(std::move(link));
  } catch (...) {
    ++dropped_links;
  }
}

void CompactRecordable::SetStatus(trace::StatusCode code, nostd::string_view description) noexcept {
  switch (code) {
    case trace::StatusCode::kOk:
      status_code = 1;
      break;
    case trace::StatusCode::kError:
      status_code = 2;
      break;
    case trace::StatusCode::kUnset:
      status_code = 0;
      break;
  }
  // The specification keeps a description only with an error.
  if (status_code == 2) {
    status_message.assign(description.data(), description.size());
  } else {
    status_message.clear();
  }
}

void CompactRecordable::SetName(nostd::string_view span_name) noexcept {
  name.assign(span_name.data(), span_name.size());
}

void CompactRecordable::SetTraceFlags(trace::TraceFlags trace_flags) noexcept {
  flags = trace_flags.flags();
}

void CompactRecordable::SetSpanKind(trace::SpanKind span_kind) noexcept {
  kind = static_cast<int>(span_kind) + 1;  // the API counts from internal = 0
}

void CompactRecordable::SetResource(
    const opentelemetry::sdk::resource::Resource& span_resource) noexcept {
  resource = &span_resource;  // the tracer provider's, which outlives its spans
}

void CompactRecordable::SetStartTime(common::SystemTimestamp start_time) noexcept {
  start_unix_nano = UnixNanos(start_time);
}

void CompactRecordable::SetDuration(std::chrono::nanoseconds duration) noexcept {
  end_unix_nano = start_unix_nano + static_cast<std::uint64_t>(duration.count());
}

void CompactRecordable::SetInstrumentationScope(
    const opentelemetry::sdk::instrumentationscope::InstrumentationScope&
        instrumentation_scope) noexcept {
  scope = &instrumentation_scope;  // the tracer's, which outlives its spans
}

void EncodeExportRequest(const nostd::span<std::unique_ptr<sdktrace::Recordable>>& spans,
                         std::string& out) {
  // Group by resource, then scope, keeping the order in which each first appears.
  using Group = std::pair<const void*, std::vector<const CompactRecordable*>>;
  std::vector<std::pair<const opentelemetry::sdk::resource::Resource*, std::vector<Group>>> tree;
  for (const auto& recordable : spans) {
    const auto* span = static_cast<const CompactRecordable*>(recordable.get());
    if (!span) continue;
    auto by_resource = std::find_if(tree.begin(), tree.end(), [span](const auto& node) {
      return node.first == span->resource;
    });
    if (by_resource == tree.end()) by_resource = tree.insert(tree.end(), {span->resource, {}});
    auto& groups = by_resource->second;
    auto by_scope = std::find_if(groups.begin(), groups.end(),
                                 [span](const Group& group) { return group.first == span->scope; });
    if (by_scope == groups.end()) by_scope = groups.insert(groups.end(), {span->scope, {}});
    by_scope->second.push_back(span);
  }

  ProtoWriter writer(out);
  for (const auto& [resource, groups] : tree) {
    // ResourceSpans: 1 resource, 2 scope spans, 3 schema url.
    const auto resource_spans_at = writer.Begin(1);
    if (resource) {
      const auto resource_at = writer.Begin(1);
      EncodeOwnedAttributes(writer, 1, resource->GetAttributes());
      writer.End(resource_at);
    }
    for (const auto& [scope_key, group] : groups) {
      // ScopeSpans: 1 scope, 2 spans, 3 schema url.
      const auto scope_spans_at = writer.Begin(2);
      if (const auto* scope = group.front()->scope) {
        const auto scope_at = writer.Begin(1);
        writer.BytesIfSet(1, scope->GetName());
        writer.BytesIfSet(2, scope->GetVersion());
        EncodeOwnedAttributes(writer, 3, scope->GetAttributes());
        writer.End(scope_at);
      }
      for (const auto* span : group) EncodeSpan(writer, *span);
      if (const auto* scope = group.front()->scope) writer.BytesIfSet(3, scope->GetSchemaURL());
      writer.End(scope_spans_at);
    }
    if (resource) writer.BytesIfSet(3, resource->GetSchemaURL());
    writer.End(resource_spans_at);
  }
}

}  // namespace fabtrace::telemetry::detail
