#include "compact_recordable.h"

#include <algorithm>
#include <cstring>
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

std::uint64_t UnixNanos(common::SystemTimestamp timestamp) {
  return static_cast<std::uint64_t>(timestamp.time_since_epoch().count());
}

template <std::size_t N>
std::string_view View(const std::array<std::uint8_t, N>& bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), N};
}

// --- attributes in OTLP's wire format -------------------------------------------------

// A value as OTLP's AnyValue holds it: bool, int64, double or string (a view).
template <typename T>
auto Normal(const T& item) {
  if constexpr (std::is_same_v<T, bool>) {
    return item;
  } else if constexpr (std::is_same_v<T, const char*>) {
    return item ? std::string_view(item) : std::string_view();
  } else if constexpr (std::is_integral_v<T>) {
    return static_cast<std::int64_t>(item);
  } else if constexpr (std::is_floating_point_v<T>) {
    return static_cast<double>(item);
  } else {  // string views and strings
    return std::string_view(item.data(), item.size());
  }
}

using Wire = ProtoWriter;  // for its varints and size arithmetic

// AnyValue's body for one scalar (fields: 1 string, 2 bool, 3 int, 4 double), its size
// known before it is written.
std::size_t BodySize(bool) { return 2; }
std::size_t BodySize(std::int64_t item) {
  return 1 + Wire::VarintSize(static_cast<std::uint64_t>(item));
}
std::size_t BodySize(double) { return 9; }
std::size_t BodySize(std::string_view item) { return Wire::FieldSize(item.size()); }

char* PutBody(char* at, bool item) {
  *at++ = 0x10;
  *at++ = item ? 1 : 0;
  return at;
}
char* PutBody(char* at, std::int64_t item) {
  *at++ = 0x18;
  return Wire::PutVarint(at, static_cast<std::uint64_t>(item));
}
char* PutBody(char* at, double item) {
  *at++ = 0x21;
  std::uint64_t bits;
  std::memcpy(&bits, &item, sizeof bits);
  for (int i = 0; i < 8; ++i) *at++ = static_cast<char>(bits >> (8 * i));
  return at;
}
char* PutBody(char* at, std::string_view item) {
  *at++ = 0x0a;
  at = Wire::PutVarint(at, item.size());
  if (!item.empty()) std::memcpy(at, item.data(), item.size());
  return at + item.size();
}

// AnyValue's body for an array: field 5, an ArrayValue whose field 1 holds the elements'
// AnyValues. `normal` turns an element into its normal form.
template <typename Range, typename Normalise>
std::size_t ArrayElementsSize(const Range& elements, Normalise normal) {
  std::size_t size = 0;
  for (const auto& element : elements) size += Wire::FieldSize(BodySize(normal(element)));
  return size;
}

template <typename Range, typename Normalise>
void PutArrayBody(char* at, const Range& elements, std::size_t elements_size, Normalise normal) {
  *at++ = 0x2a;
  at = Wire::PutVarint(at, elements_size);
  for (const auto& element : elements) {
    const auto item = normal(element);
    *at++ = 0x0a;
    at = Wire::PutVarint(at, BodySize(item));
    at = PutBody(at, item);
  }
}

// Writes one KeyValue field (1 key, 2 value) at out[used], its AnyValue body of
// `body_size` bytes written by `put_body`, and moves `used` past it. `out` is room: its
// size only grows (so a reused store is not zero-filled again). Returns where the key's
// bytes start. Nothing is written if it throws (out of memory).
template <typename PutValue>
std::size_t AppendKeyValue(std::string& out, std::size_t& used, std::uint8_t field,
                           std::string_view key, std::size_t body_size, PutValue put_body) {
  // Nearly every attribute's three lengths fit in one byte each: no varint arithmetic then.
  const bool short_lengths = key.size() + body_size < 0x7c;
  const auto key_value_size = short_lengths
                                  ? 4 + key.size() + body_size
                                  : Wire::FieldSize(key.size()) + Wire::FieldSize(body_size);
  const auto end = used + (short_lengths ? 2 + key_value_size : Wire::FieldSize(key_value_size));
  if (out.size() < end) out.resize(std::max(end, 2 * out.size() + 256));
  char* at = out.data() + used;
  *at++ = static_cast<char>((field << 3) | 2);
  if (short_lengths) {
    *at++ = static_cast<char>(key_value_size);
    *at++ = 0x0a;
    *at++ = static_cast<char>(key.size());
  } else {
    at = Wire::PutVarint(at, key_value_size);
    *at++ = 0x0a;
    at = Wire::PutVarint(at, key.size());
  }
  const auto key_begin = static_cast<std::size_t>(at - out.data());
  if (!key.empty()) std::memcpy(at, key.data(), key.size());
  at += key.size();
  *at++ = 0x12;
  if (short_lengths) {
    *at++ = static_cast<char>(body_size);
  } else {
    at = Wire::PutVarint(at, body_size);
  }
  put_body(at);
  used = end;
  return key_begin;
}

// Writes key = value (see AppendKeyValue), the value one of the SDK's views (scalars, C
// strings, string views, spans of scalars or of string views) or its owned values
// (strings, vectors).
template <typename T>
std::size_t AppendAttribute(std::string& out, std::size_t& used, std::uint8_t field,
                            std::string_view key, const T& value) {
  if constexpr (std::is_arithmetic_v<T> || std::is_same_v<T, const char*> ||
                std::is_same_v<T, nostd::string_view> || std::is_same_v<T, std::string>) {
    const auto item = Normal(value);
    return AppendKeyValue(out, used, field, key, BodySize(item),
                          [&item](char* at) { PutBody(at, item); });
  } else {  // vector<bool> yields proxies: each scalar element is read as its value type
    const auto normal = [](const auto& element) {
      if constexpr (std::is_same_v<std::decay_t<decltype(element)>, std::string> ||
                    std::is_same_v<std::decay_t<decltype(element)>, nostd::string_view>) {
        return Normal(element);  // a view of the element itself
      } else {
        using Element = std::remove_cv_t<std::remove_reference_t<decltype(*std::begin(value))>>;
        return Normal(static_cast<Element>(element));
      }
    };
    const auto elements_size = ArrayElementsSize(value, normal);
    return AppendKeyValue(out, used, field, key, Wire::FieldSize(elements_size),
                          [&](char* at) { PutArrayBody(at, value, elements_size, normal); });
  }
}

// Event: 1 time, 2 name, 3 attributes, 4 dropped attributes.
std::size_t EventSize(const SpanEvent& event) {
  return Wire::TagSize(1) + 8 + Wire::FieldSize(event.name.size(), 2) +
         event.attributes.encoded().size() + Wire::VarintIfSetSize(4, event.attributes.dropped);
}

// Link: 1 trace_id, 2 span_id, 3 trace_state, 4 attributes, 5 dropped attributes, 6 flags.
std::size_t LinkSize(const SpanLink& link) {
  return Wire::FieldSize(16, 1) + Wire::FieldSize(8, 2) +
         Wire::BytesIfSetSize(3, link.trace_state) + link.attributes.encoded().size() +
         Wire::VarintIfSetSize(5, link.attributes.dropped) + Wire::TagSize(6) + 4;
}

// Status: 2 message, 3 code.
std::size_t StatusSize(const CompactRecordable& span) {
  return Wire::BytesIfSetSize(2, span.status_message) +
         Wire::VarintFieldSize(3, static_cast<std::uint64_t>(span.status_code));
}

// Span: 1 trace_id, 2 span_id, 3 trace_state, 4 parent_span_id, 5 name, 6 kind,
// 7 start, 8 end, 9 attributes, 10 dropped attributes, 11 events, 12 dropped events,
// 13 links, 14 dropped links, 15 status, 16 flags.
std::size_t SpanSize(const CompactRecordable& span) {
  std::size_t size =
      Wire::FieldSize(16, 1) + Wire::FieldSize(8, 2) + Wire::BytesIfSetSize(3, span.trace_state) +
      (span.has_parent ? Wire::FieldSize(8, 4) : 0) + Wire::FieldSize(span.name.size(), 5) +
      Wire::VarintFieldSize(6, static_cast<std::uint64_t>(span.kind)) + 2 * (Wire::TagSize(7) + 8) +
      span.attributes.encoded().size() + Wire::VarintIfSetSize(10, span.attributes.dropped) +
      Wire::VarintIfSetSize(12, span.dropped_events) +
      Wire::VarintIfSetSize(14, span.dropped_links) + Wire::TagSize(16) + 4;
  for (const auto& event : span.events) size += Wire::FieldSize(EventSize(event), 11);
  for (const auto& link : span.links) size += Wire::FieldSize(LinkSize(link), 13);
  if (span.status_code != 0) size += Wire::FieldSize(StatusSize(span), 15);
  return size;
}

void EncodeSpan(ProtoWriter& writer, const CompactRecordable& span, std::size_t size) {
  writer.Header(2, size);
  writer.Bytes(1, View(span.trace_id));
  writer.Bytes(2, View(span.span_id));
  writer.BytesIfSet(3, span.trace_state);
  if (span.has_parent) writer.Bytes(4, View(span.parent_span_id));
  writer.Bytes(5, span.name);
  writer.Varint(6, static_cast<std::uint64_t>(span.kind));
  writer.Fixed64(7, span.start_unix_nano);
  writer.Fixed64(8, span.end_unix_nano);
  writer.Raw(span.attributes.encoded());
  writer.VarintIfSet(10, span.attributes.dropped);
  for (const auto& event : span.events) {
    writer.Header(11, EventSize(event));
    writer.Fixed64(1, event.time_unix_nano);
    writer.Bytes(2, event.name);
    writer.Raw(event.attributes.encoded());
    writer.VarintIfSet(4, event.attributes.dropped);
  }
  writer.VarintIfSet(12, span.dropped_events);
  for (const auto& link : span.links) {
    writer.Header(13, LinkSize(link));
    writer.Bytes(1, View(link.trace_id));
    writer.Bytes(2, View(link.span_id));
    writer.BytesIfSet(3, link.trace_state);
    writer.Raw(link.attributes.encoded());
    writer.VarintIfSet(5, link.attributes.dropped);
    writer.Fixed32(6, link.flags);
  }
  writer.VarintIfSet(14, span.dropped_links);
  if (span.status_code != 0) {
    writer.Header(15, StatusSize(span));
    writer.BytesIfSet(2, span.status_message);
    writer.Varint(3, static_cast<std::uint64_t>(span.status_code));
  }
  writer.Fixed32(16, span.flags);
}

}  // namespace

void Attributes::Set(nostd::string_view key, const common::AttributeValue& value) {
  const std::string_view name(key.data(), key.size());
  const auto bit = KeyBit(name);
  if ((keys_seen_ & bit) != 0) {  // perhaps set before: replace it
    for (auto slot = slots_.begin(); slot != slots_.end(); ++slot) {
      if (slot->key_size == name.size() &&
          std::memcmp(room_.data() + slot->key_begin, name.data(), name.size()) == 0) {
        Remove(slot);
        break;
      }
    }
  }
  if (slots_.size() >= kMaxAttributes) {
    ++dropped;
    return;
  }
  if (slots_.size() == slots_.capacity()) {
    slots_.reserve(std::max<std::size_t>(16, 2 * slots_.size()));
  }
  const auto begin = used_;
  std::size_t key_begin;
  // The kinds nearly every attribute has first, without a visit of the whole variant.
  if (const auto* text = nostd::get_if<nostd::string_view>(&value)) {
    key_begin = AppendAttribute(room_, used_, field_, name, *text);
  } else if (const auto* number = nostd::get_if<std::int64_t>(&value)) {
    key_begin = AppendAttribute(room_, used_, field_, name, *number);
  } else if (const auto* literal = nostd::get_if<const char*>(&value)) {
    key_begin = AppendAttribute(room_, used_, field_, name, *literal);
  } else {
    key_begin = nostd::visit(
        [this, name](const auto& item) {
          return AppendAttribute(room_, used_, field_, name, item);
        },
        value);
  }
  keys_seen_ |= bit;
  slots_.push_back({static_cast<std::uint32_t>(begin), static_cast<std::uint32_t>(used_ - begin),
                    static_cast<std::uint32_t>(key_begin),
                    static_cast<std::uint32_t>(name.size())});
}

void Attributes::Remove(std::vector<Slot>::iterator slot) {
  const auto removed = *slot;
  std::memmove(room_.data() + removed.begin, room_.data() + removed.begin + removed.size,
               used_ - removed.begin - removed.size);
  used_ -= removed.size;
  for (auto later = slots_.erase(slot); later != slots_.end(); ++later) {
    later->begin -= removed.size;
    later->key_begin -= removed.size;
  }
}

void Attributes::Clear() {
  // Stores grown far beyond the usual (a span with a 300 KB value) are not kept.
  constexpr std::size_t kKeptSlots = 64;
  constexpr std::size_t kKeptBytes = 4096;
  if (slots_.capacity() > kKeptSlots) slots_ = {};
  if (room_.size() > kKeptBytes) room_ = {};
  slots_.clear();
  used_ = 0;
  keys_seen_ = 0;
  dropped = 0;
}

void Attributes::SetAll(const common::KeyValueIterable& attributes) {
  slots_.reserve(slots_.size() + attributes.size());
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
  // Field by field, keeping the room of the stores of the usual size (a recycled
  // recordable then allocates nothing for an ordinary span).
  constexpr std::size_t kKeptText = 256;
  constexpr std::size_t kKeptEntries = 4;
  const auto clear_text = [](std::string& text) {
    if (text.capacity() > kKeptText) text = {};
    text.clear();
  };
  const auto clear_entries = [](auto& entries) {
    if (entries.capacity() > kKeptEntries) entries = {};
    entries.clear();
  };
  trace_id = {};
  span_id = {};
  parent_span_id = {};
  has_parent = false;
  clear_text(trace_state);
  flags = 0;
  clear_text(name);
  kind = 1;
  start_unix_nano = 0;
  end_unix_nano = 0;
  attributes.Clear();
  clear_entries(events);
  dropped_events = 0;
  clear_entries(links);
  dropped_links = 0;
  status_code = 0;
  clear_text(status_message);
  resource = nullptr;
  scope = nullptr;
}

namespace {

constexpr std::size_t kCacheLine = 64;

// A hint to bring [begin, begin + size) into the cache for writing.
void PrefetchForWrite(const void* begin, std::size_t size) {
  const auto* at = static_cast<const char*>(begin);
  for (std::size_t offset = 0; offset < size; offset += kCacheLine) {
    __builtin_prefetch(at + offset, 1, 3);
  }
}

}  // namespace

void Attributes::Prefetch() const {
  // What one span of ours writes: ~20 slots and ~600 bytes of attributes.
  PrefetchForWrite(slots_.data(), std::min<std::size_t>(slots_.capacity(), 32) * sizeof(Slot));
  PrefetchForWrite(room_.data(), std::min<std::size_t>(room_.size(), 10 * kCacheLine));
}

void CompactRecordable::PrefetchLines() const { PrefetchForWrite(this, sizeof *this); }

std::unique_ptr<CompactRecordable> RecordablePool::Take() {
  {
    const std::lock_guard lock(mutex_);
    if (!free_.empty()) {
      auto recordable = std::move(free_.back());
      free_.pop_back();
      // Two ahead: the next one's stores (its own lines were prefetched by the last call,
      // so reading where its stores are costs no wait), and the one after's own lines.
      const auto left = free_.size();
      if (left >= 1) free_[left - 1]->PrefetchStores();
      if (left >= 2) free_[left - 2]->PrefetchLines();
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

void CompactRecordable::SetAttributes(
    nostd::span<const std::pair<nostd::string_view, common::AttributeValue>> items) noexcept {
  for (const auto& [key, value] : items) {
    try {
      attributes.Set(key, value);
    } catch (...) {  // out of memory: the attribute is lost, never the request
      ++attributes.dropped;
    }
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

namespace {

// A batch grouped by instrumentation scope within resource, with the length of each
// message computed before any is written.
struct ScopeGroup {
  const opentelemetry::sdk::instrumentationscope::InstrumentationScope* scope = nullptr;
  std::vector<const CompactRecordable*> spans;
  std::vector<std::size_t> span_sizes;
  std::string scope_attributes;
  std::size_t scope_size = 0;  // the InstrumentationScope message
  std::size_t size = 0;        // the ScopeSpans message
};

struct ResourceGroup {
  const opentelemetry::sdk::resource::Resource* resource = nullptr;
  std::vector<ScopeGroup> scopes;
  std::string attributes;
  std::size_t size = 0;  // the ResourceSpans message
};

std::string_view SchemaUrl(const opentelemetry::sdk::resource::Resource* resource) {
  if (!resource) return {};
  const auto& url = resource->GetSchemaURL();
  return {url.data(), url.size()};
}

std::string_view SchemaUrl(
    const opentelemetry::sdk::instrumentationscope::InstrumentationScope* scope) {
  if (!scope) return {};
  const auto& url = scope->GetSchemaURL();
  return {url.data(), url.size()};
}

// Groups the spans by resource, then scope, in the order in which each first appears,
// and computes every message's length.
std::vector<ResourceGroup> Plan(const nostd::span<std::unique_ptr<sdktrace::Recordable>>& spans) {
  std::vector<ResourceGroup> tree;
  constexpr std::size_t kAhead = 8;  // spans whose memory is asked for before it is read
  for (std::size_t i = 0; i < spans.size(); ++i) {
    if (i + kAhead < spans.size() && spans[i + kAhead]) {
      static_cast<const CompactRecordable*>(spans[i + kAhead].get())->PrefetchLines();
    }
    const auto* span = static_cast<const CompactRecordable*>(spans[i].get());
    if (!span) continue;
    auto resource = std::find_if(tree.begin(), tree.end(), [span](const ResourceGroup& node) {
      return node.resource == span->resource;
    });
    if (resource == tree.end()) {
      resource = tree.insert(tree.end(), ResourceGroup{});
      resource->resource = span->resource;
    }
    auto& scopes = resource->scopes;
    auto group = std::find_if(scopes.begin(), scopes.end(),
                              [span](const ScopeGroup& node) { return node.scope == span->scope; });
    if (group == scopes.end()) {
      group = scopes.insert(scopes.end(), ScopeGroup{});
      group->scope = span->scope;
    }
    group->spans.push_back(span);
  }
  for (auto& resource : tree) {
    // ResourceSpans: 1 resource (1 attributes), 2 scope spans, 3 schema url.
    if (resource.resource) {
      EncodeOwnedAttributes(1, resource.resource->GetAttributes(), resource.attributes);
      resource.size += Wire::FieldSize(resource.attributes.size(), 1);
    }
    resource.size += Wire::BytesIfSetSize(3, SchemaUrl(resource.resource));
    for (auto& group : resource.scopes) {
      // ScopeSpans: 1 scope (1 name, 2 version, 3 attributes), 2 spans, 3 schema url.
      if (const auto* scope = group.scope) {
        EncodeOwnedAttributes(3, scope->GetAttributes(), group.scope_attributes);
        group.scope_size = Wire::BytesIfSetSize(1, scope->GetName()) +
                           Wire::BytesIfSetSize(2, scope->GetVersion()) +
                           group.scope_attributes.size();
        group.size += Wire::FieldSize(group.scope_size, 1);
      }
      group.size += Wire::BytesIfSetSize(3, SchemaUrl(group.scope));
      group.span_sizes.reserve(group.spans.size());
      for (const auto* span : group.spans) {
        group.span_sizes.push_back(SpanSize(*span));
        group.size += Wire::FieldSize(group.span_sizes.back(), 2);
      }
      resource.size += Wire::FieldSize(group.size, 2);
    }
  }
  return tree;
}

}  // namespace

std::size_t EncodeExportRequestAt(const nostd::span<std::unique_ptr<sdktrace::Recordable>>& spans,
                                  std::string& out, std::size_t at) {
  const auto tree = Plan(spans);
  std::size_t total = 0;
  for (const auto& resource : tree) total += Wire::FieldSize(resource.size, 1);
  ProtoWriter writer(out, at);
  writer.Ensure(total);
  for (const auto& resource : tree) {
    writer.Header(1, resource.size);
    if (resource.resource) {
      writer.Header(1, resource.attributes.size());
      writer.Raw(resource.attributes);
    }
    for (const auto& group : resource.scopes) {
      writer.Header(2, group.size);
      if (const auto* scope = group.scope) {
        writer.Header(1, group.scope_size);
        writer.BytesIfSet(1, scope->GetName());
        writer.BytesIfSet(2, scope->GetVersion());
        writer.Raw(group.scope_attributes);
      }
      for (std::size_t i = 0; i < group.spans.size(); ++i) {
        if (i + 2 < group.spans.size()) group.spans[i + 2]->PrefetchStores();
        EncodeSpan(writer, *group.spans[i], group.span_sizes[i]);
      }
      writer.BytesIfSet(3, SchemaUrl(group.scope));
    }
    writer.BytesIfSet(3, SchemaUrl(resource.resource));
  }
  return writer.offset();
}

void EncodeExportRequest(const nostd::span<std::unique_ptr<sdktrace::Recordable>>& spans,
                         std::string& out) {
  out.resize(EncodeExportRequestAt(spans, out, out.size()));
}

void EncodeOwnedAttributes(
    std::uint8_t field,
    const std::unordered_map<std::string, opentelemetry::sdk::common::OwnedAttributeValue>&
        attributes,
    std::string& out) {
  auto used = out.size();
  for (const auto& [key, value] : attributes) {
    nostd::visit([&](const auto& item) { AppendAttribute(out, used, field, key, item); }, value);
  }
  out.resize(used);
}

}  // namespace fabtrace::telemetry::detail
