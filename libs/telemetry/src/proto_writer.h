// The protobuf wire format, written straight into a byte buffer: just what an OTLP
// export request needs (varints, fixed 32/64-bit fields, length-delimited bytes, fields
// already encoded), without building message objects first. Nested messages are written
// with their lengths computed first (the *Size functions), so nothing is moved afterwards.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace fabtrace::telemetry::detail {

// Copies `size` bytes between buffers that do not overlap. Nearly everything a span records
// (keys, short values, ids, names) is at most 32 bytes: those are copied with a few loads
// and stores of fixed size (overlapping when the size is not a power of two) instead of a
// call to memcpy, which costs more than the copy itself at these sizes.
inline void CopyBytes(char* to, const char* from, std::size_t size) {
  if (size >= 8 && size <= 32) {
    if (size <= 16) {
      std::uint64_t head, tail;
      std::memcpy(&head, from, 8);
      std::memcpy(&tail, from + size - 8, 8);
      std::memcpy(to, &head, 8);
      std::memcpy(to + size - 8, &tail, 8);
    } else {
      char head[16], tail[16];
      std::memcpy(head, from, 16);
      std::memcpy(tail, from + size - 16, 16);
      std::memcpy(to, head, 16);
      std::memcpy(to + size - 16, tail, 16);
    }
  } else if (size < 8) {
    if (size >= 4) {
      std::uint32_t head, tail;
      std::memcpy(&head, from, 4);
      std::memcpy(&tail, from + size - 4, 4);
      std::memcpy(to, &head, 4);
      std::memcpy(to + size - 4, &tail, 4);
    } else if (size != 0) {
      const char first = from[0], middle = from[size / 2], last = from[size - 1];
      to[0] = first;
      to[size / 2] = middle;
      to[size - 1] = last;
    }
  } else {
    std::memcpy(to, from, size);
  }
}

// Writes into a string from a given offset, over what is there: a buffer reused for every
// batch is neither cleared nor zero-filled again, only grown (by doubling) when a batch
// needs more room than any before it. One capacity check per field.
class ProtoWriter {
 public:
  ProtoWriter(std::string& out, std::size_t at)
      : out_(out), cursor_(out.data() + at), limit_(out.data() + out.size()) {}
  ProtoWriter(const ProtoWriter&) = delete;
  ProtoWriter& operator=(const ProtoWriter&) = delete;

  // Where the next byte goes: the end of what was written.
  std::size_t offset() const { return static_cast<std::size_t>(cursor_ - out_.data()); }

  // Room for `bytes` more bytes after the cursor.
  void Ensure(std::size_t bytes) {
    if (static_cast<std::size_t>(limit_ - cursor_) < bytes) Grow(bytes);
  }

  void Varint(std::uint32_t field, std::uint64_t value) {
    Ensure(2 * kMaxVarint);
    Tag(field, 0);
    RawVarint(value);
  }
  // Skips zero, as proto3 does for scalar fields.
  void VarintIfSet(std::uint32_t field, std::uint64_t value) {
    if (value != 0) Varint(field, value);
  }
  void Fixed64(std::uint32_t field, std::uint64_t value) {
    Ensure(kMaxVarint + 8);
    Tag(field, 1);
    for (int i = 0; i < 8; ++i) Put(static_cast<char>(value >> (8 * i)));
  }
  void Fixed32(std::uint32_t field, std::uint32_t value) {
    Ensure(kMaxVarint + 4);
    Tag(field, 5);
    for (int i = 0; i < 4; ++i) Put(static_cast<char>(value >> (8 * i)));
  }
  void Bytes(std::uint32_t field, std::string_view bytes) {
    Ensure(2 * kMaxVarint + bytes.size());
    Tag(field, 2);
    RawVarint(bytes.size());
    CopyBytes(cursor_, bytes.data(), bytes.size());
    cursor_ += bytes.size();
  }
  void BytesIfSet(std::uint32_t field, std::string_view bytes) {
    if (!bytes.empty()) Bytes(field, bytes);
  }
  // Bytes already in the wire format (whole fields), copied as they are.
  void Raw(std::string_view bytes) {
    Ensure(bytes.size());
    if (!bytes.empty()) std::memcpy(cursor_, bytes.data(), bytes.size());
    cursor_ += bytes.size();
  }
  // The header of a length-delimited field whose body (size bytes) the caller writes next.
  void Header(std::uint32_t field, std::size_t size) {
    Ensure(2 * kMaxVarint);
    Tag(field, 2);
    RawVarint(size);
  }

  // Writes `value` as a varint at `at` (room for 10 bytes) and returns where it ends.
  static char* PutVarint(char* at, std::uint64_t value) {
    while (value > 0x7f) {
      *at++ = static_cast<char>((value & 0x7f) | 0x80);
      value >>= 7;
    }
    *at++ = static_cast<char>(value);
    return at;
  }

  // Sizes of what the methods above write, to compute a message's length before it.
  static std::size_t VarintSize(std::uint64_t value) {
    std::size_t size = 1;
    while (value > 0x7f) {
      value >>= 7;
      ++size;
    }
    return size;
  }
  static std::size_t TagSize(std::uint32_t field) { return VarintSize(field << 3); }
  static std::size_t VarintFieldSize(std::uint32_t field, std::uint64_t value) {
    return TagSize(field) + VarintSize(value);
  }
  static std::size_t VarintIfSetSize(std::uint32_t field, std::uint64_t value) {
    return value != 0 ? VarintFieldSize(field, value) : 0;
  }
  // A length-delimited field with a body of `size` bytes (Bytes, or Header and its body).
  static std::size_t FieldSize(std::size_t size, std::uint32_t field = 1) {
    return TagSize(field) + VarintSize(size) + size;
  }
  static std::size_t BytesIfSetSize(std::uint32_t field, std::string_view bytes) {
    return bytes.empty() ? 0 : FieldSize(bytes.size(), field);
  }

 private:
  static constexpr std::size_t kMaxVarint = 10;

  [[gnu::noinline]] void Grow(std::size_t bytes) {
    const auto used = offset();
    out_.resize(std::max(used + bytes, 2 * out_.size() + 512));
    cursor_ = out_.data() + used;
    limit_ = out_.data() + out_.size();
  }
  void Put(char byte) { *cursor_++ = byte; }
  void Tag(std::uint32_t field, std::uint32_t wire_type) { RawVarint((field << 3) | wire_type); }
  void RawVarint(std::uint64_t value) { cursor_ = PutVarint(cursor_, value); }

  std::string& out_;
  char* cursor_;  // where the next byte goes; from there to limit_ is room
  char* limit_;
};

}  // namespace fabtrace::telemetry::detail
