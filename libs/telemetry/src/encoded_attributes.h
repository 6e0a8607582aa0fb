// Attributes kept in OTLP's wire format: each one a KeyValue field, written once when it
// is recorded (docs/performance.md). A span's recordable keeps its attributes so, and so do
// the fixed attributes of the instrumentation (fabtrace/telemetry/fixed_attributes.h), which
// is why this lives in the API part of the library.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "opentelemetry/common/attribute_value.h"
#include "opentelemetry/common/key_value_iterable.h"
#include "opentelemetry/nostd/string_view.h"
#include "opentelemetry/sdk/common/attribute_utils.h"  // header only: owned values

namespace fabtrace::telemetry::detail {

// At most this many attributes per span, event or link (OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT's
// default); more are counted as dropped.
inline constexpr std::size_t kMaxAttributes = 128;

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
  // Sets each of `block`'s attributes, as Set would, but copies their encoded bytes: one
  // copy of the whole block when none of its keys can have been set before.
  void Append(const Attributes& block);

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
  // Removes an earlier value of `name` (KeyBit `bit`); false (the attribute counted as
  // dropped) when no other attribute fits.
  bool MakeRoomFor(std::string_view name, std::uint64_t bit);
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

inline constexpr std::size_t kCacheLine = 64;

// A hint to bring [begin, begin + size) into the cache for writing.
inline void PrefetchForWrite(const void* begin, std::size_t size) {
  const auto* at = static_cast<const char*>(begin);
  for (std::size_t offset = 0; offset < size; offset += kCacheLine) {
    __builtin_prefetch(at + offset, 1, 3);
  }
}

}  // namespace fabtrace::telemetry::detail
