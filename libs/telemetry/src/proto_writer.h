// The protobuf wire format, written straight into a byte buffer: just what an OTLP
// export request needs (varints, fixed 32/64-bit fields, length-delimited bytes and
// nested messages), without building message objects first.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace fabtrace::telemetry::detail {

class ProtoWriter {
 public:
  explicit ProtoWriter(std::string& out) : out_(out) {}

  void Varint(std::uint32_t field, std::uint64_t value) {
    Tag(field, 0);
    RawVarint(value);
  }
  // Skips zero, as proto3 does for scalar fields.
  void VarintIfSet(std::uint32_t field, std::uint64_t value) {
    if (value != 0) Varint(field, value);
  }
  void Fixed64(std::uint32_t field, std::uint64_t value) {
    Tag(field, 1);
    char bytes[8];
    for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>(value >> (8 * i));
    out_.append(bytes, 8);
  }
  void Fixed32(std::uint32_t field, std::uint32_t value) {
    Tag(field, 5);
    char bytes[4];
    for (int i = 0; i < 4; ++i) bytes[i] = static_cast<char>(value >> (8 * i));
    out_.append(bytes, 4);
  }
  void Double(std::uint32_t field, double value) {
    std::uint64_t bits;
    std::memcpy(&bits, &value, sizeof bits);
    Fixed64(field, bits);
  }
  void Bytes(std::uint32_t field, std::string_view bytes) {
    Tag(field, 2);
    RawVarint(bytes.size());
    out_.append(bytes);
  }
  void BytesIfSet(std::uint32_t field, std::string_view bytes) {
    if (!bytes.empty()) Bytes(field, bytes);
  }

  // The header of a length-delimited field whose body (size bytes) the caller writes next.
  void Header(std::uint32_t field, std::size_t size) {
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
    Tag(field, 2);
    const std::size_t at = out_.size();
    out_.append(kLengthRoom, '\0');
    return at;
  }
  void End(std::size_t at) {
    const std::size_t body = out_.size() - at - kLengthRoom;
    char length[kLengthRoom];
    std::size_t used = 0;
    for (std::uint64_t value = body;; value >>= 7) {
      length[used++] = static_cast<char>((value & 0x7f) | (value > 0x7f ? 0x80 : 0));
      if (value <= 0x7f) break;
    }
    std::memcpy(out_.data() + at, length, used);
    if (used < kLengthRoom) out_.erase(at + used, kLengthRoom - used);
  }

 private:
  static constexpr std::size_t kLengthRoom = 5;  // any length below 4 GiB

  void Tag(std::uint32_t field, std::uint32_t wire_type) { RawVarint((field << 3) | wire_type); }
  void RawVarint(std::uint64_t value) {
    char bytes[10];
    std::size_t used = 0;
    while (value > 0x7f) {
      bytes[used++] = static_cast<char>((value & 0x7f) | 0x80);
      value >>= 7;
    }
    bytes[used++] = static_cast<char>(value);
    out_.append(bytes, used);
  }

  std::string& out_;
};

}  // namespace fabtrace::telemetry::detail
