// Base64url (RFC 4648 section 5) without padding, as JWS compact serialization uses it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace fabtrace::auth::base64url {

std::string Encode(std::string_view bytes);

// The bytes `text` encodes, or nullopt unless `text` is canonical unpadded base64url:
// only A-Z a-z 0-9 - _, no '=' padding, no whitespace, a length that is not 1 modulo 4,
// and zero bits in what the last character holds beyond the data.
std::optional<std::string> Decode(std::string_view text);

}  // namespace fabtrace::auth::base64url
