// The protobuf wire format, written straight into a byte buffer: just what an OTLP
// export request needs (varints, fixed 32/64-bit fields, length-delimited bytes and
// nested messages), without building message objects first.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace fabtrace::telemetry::detail {

// Bytes are written through a cursor into the string's own storage, which grows by
// doubling: one capacity check per field instead of one std::string::append per piece.
// The string has its final size once the writer is destroyed (or Finish() is called).
class ProtoWriter {
 public:
  explicit ProtoWriter(std::string& out)
      : out_(out), cursor_(out.data() + out.size()), limit_(cursor_) {}
  ProtoWriter(const ProtoWriter&) = delete;
  ProtoWriter& operator=(const ProtoWriter&) = delete;
  ~ProtoWriter() { Finish(); }

  // Cuts the string to what was written.
  void Finish() {
    out_.resize(static_cast<std::size_t>(cursor_ - out_.data()));
    cursor_ = limit_ = out_.data() + out_.size();
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
  void Double(std::uint32_t field, double value) {
    std::uint64_t bits;
    std::memcpy(&bits, &value, sizeof bits);
    Fixed64(field, bits);
  }
  void Bytes(std::uint32_t field, std::string_view bytes) {
    Ensure(2 * kMaxVarint + bytes.size());
    Tag(field, 2);
    RawVarint(bytes.size());
    if (!bytes.empty()) std::memcpy(cursor_, bytes.data(), bytes.size());
    cursor_ += bytes.size();
  }
  void BytesIfSet(std::uint32_t field, std::string_view bytes) {
    if (!bytes.empty()) Bytes(field, bytes);
  }

  // The header of a length-delimited field whose body (size bytes) the caller writes next.
  void Header(std::uint32_t field, std::size_t size) {
    Ensure(2 * kMaxVarint);
    Tag(field, 2);
    RawVarint(size);
  }
  static std::size_t VarintSize(std::uint64_t value) {
    std::size_t size = 1;
    while (value > 0x7f) {
      value >>= 7;
      ++size;
    }
    return size;
  }
  // Size of a length-delimited field with a body of `size` bytes (tag of one byte).
  static std::size_t FieldSize(std::size_t size) { return 1 + VarintSize(size) + size; }

  // A nested message: Begin() reserves room for its length, End() writes the length and
  // closes the gap when the length needed fewer bytes than reserved.
  std::size_t Begin(std::uint32_t field) {
    Ensure(kMaxVarint + kLengthRoom);
    Tag(field, 2);
    const auto at = static_cast<std::size_t>(cursor_ - out_.data());
    cursor_ += kLengthRoom;
    return at;
  }
  void End(std::size_t at) {
    char* length = out_.data() + at;
    const auto body = static_cast<std::size_t>(cursor_ - length) - kLengthRoom;
    std::size_t used = 0;
    for (std::uint64_t value = body;; value >>= 7) {
      length[used++] = static_cast<char>((value & 0x7f) | (value > 0x7f ? 0x80 : 0));
      if (value <= 0x7f) break;
    }
    if (used < kLengthRoom) {
      std::memmove(length + used, length + kLengthRoom, body);
      cursor_ -= kLengthRoom - used;
    }
  }

 private:
  static constexpr std::size_t kLengthRoom = 5;  // any length below 4 GiB
  static constexpr std::size_t kMaxVarint = 10;

  // Room for `bytes` more bytes after the cursor.
  void Ensure(std::size_t bytes) {
    if (static_cast<std::size_t>(limit_ - cursor_) < bytes) Grow(bytes);
  }
  [[gnu::noinline]] void Grow(std::size_t bytes) {
    const auto used = static_cast<std::size_t>(cursor_ - out_.data());
    out_.resize(std::max(used + bytes, 2 * out_.size() + 512));
    cursor_ = out_.data() + used;
    limit_ = out_.data() + out_.size();
  }
  void Put(char byte) { *cursor_++ = byte; }
  void Tag(std::uint32_t field, std::uint32_t wire_type) { RawVarint((field << 3) | wire_type); }
  void RawVarint(std::uint64_t value) {
    while (value > 0x7f) {
      Put(static_cast<char>((value & 0x7f) | 0x80));
      value >>= 7;
    }
    Put(static_cast<char>(value));
  }

  std::string& out_;
  char* cursor_;  // where the next byte goes; from there to limit_ is room
  char* limit_;
};

}  // namespace fabtrace::telemetry::detail
