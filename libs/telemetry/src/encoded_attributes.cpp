#include "encoded_attributes.h"

#include <algorithm>
#include <cstring>
#include <type_traits>

#include "proto_writer.h"

namespace common = opentelemetry::common;
namespace nostd = opentelemetry::nostd;

namespace fabtrace::telemetry::detail {
namespace {

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
  CopyBytes(at, item.data(), item.size());
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
  CopyBytes(at, key.data(), key.size());
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

}  // namespace

void Attributes::Set(nostd::string_view key, const common::AttributeValue& value) {
  const std::string_view name(key.data(), key.size());
  const auto bit = KeyBit(name);
  if (!MakeRoomFor(name, bit)) return;
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

bool Attributes::MakeRoomFor(std::string_view name, std::uint64_t bit) {
  if ((keys_seen_ & bit) != 0) {  // perhaps set before: replace it
    for (auto slot = slots_.begin(); slot != slots_.end(); ++slot) {
      if (slot->key_size == name.size() &&
          std::memcmp(room_.data() + slot->key_begin, name.data(), name.size()) == 0) {
        Remove(slot);
        break;
      }
    }
  }
  if (slots_.size() < kMaxAttributes) return true;
  ++dropped;
  return false;
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

void Attributes::Append(const Attributes& block) {
  if ((keys_seen_ & block.keys_seen_) == 0 &&
      slots_.size() + block.slots_.size() <= kMaxAttributes) {
    // None of its keys was set before, and all fit: the block's bytes at once.
    if (room_.size() < used_ + block.used_) {
      room_.resize(std::max(used_ + block.used_, 2 * room_.size() + 256));
    }
    if (block.used_ != 0) std::memcpy(room_.data() + used_, block.room_.data(), block.used_);
    const auto offset = static_cast<std::uint32_t>(used_);
    slots_.reserve(slots_.size() + block.slots_.size());
    for (const auto& slot : block.slots_) {
      slots_.push_back({slot.begin + offset, slot.size, slot.key_begin + offset, slot.key_size});
    }
    used_ += block.used_;
    keys_seen_ |= block.keys_seen_;
    return;
  }
  for (const auto& slot : block.slots_) {  // one by one, replacing and counting as Set does
    const std::string_view name(block.room_.data() + slot.key_begin, slot.key_size);
    const auto bit = KeyBit(name);
    if (!MakeRoomFor(name, bit)) continue;
    if (room_.size() < used_ + slot.size)
      room_.resize(std::max(used_ + slot.size, 2 * room_.size() + 256));
    CopyBytes(room_.data() + used_, block.room_.data() + slot.begin, slot.size);
    slots_.push_back({static_cast<std::uint32_t>(used_), slot.size,
                      static_cast<std::uint32_t>(used_ + (slot.key_begin - slot.begin)),
                      slot.key_size});
    used_ += slot.size;
    keys_seen_ |= bit;
  }
}

void Attributes::Prefetch() const {
  // What one span of ours writes: ~20 slots and ~600 bytes of attributes.
  PrefetchForWrite(slots_.data(), std::min<std::size_t>(slots_.capacity(), 32) * sizeof(Slot));
  PrefetchForWrite(room_.data(), std::min<std::size_t>(room_.size(), 10 * kCacheLine));
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
