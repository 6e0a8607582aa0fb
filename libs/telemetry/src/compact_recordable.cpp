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

using Wire = ProtoWriter;  // for its size arithmetic

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

void CompactRecordable::SetAttributes(const StartAttributes& start) noexcept {
  for (const auto& [key, value] : start.items()) {
    try {
      attributes.Set(key, value);
    } catch (...) {  // out of memory: the attribute is lost, never the request
      ++attributes.dropped;
    }
  }
  const auto* fixed = start.fixed() != nullptr ? start.fixed()->encoded() : nullptr;
  if (fixed == nullptr) return;
  try {
    attributes.Append(*fixed);
  } catch (...) {  // out of memory: the fixed ones are lost, never the request
    attributes.dropped += static_cast<std::uint32_t>(fixed->size());
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

}  // namespace fabtrace::telemetry::detail
