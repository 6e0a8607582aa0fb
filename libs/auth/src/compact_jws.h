// Splitting a JWS in compact serialization (RFC 7515 section 7.1) into its decoded parts.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace fabtrace::auth::detail {

inline constexpr std::size_t kMaxTokenBytes = 8 * 1024;

struct CompactJws {
  nlohmann::json header;           // a JSON object
  nlohmann::json payload;          // a JSON object
  std::string signature;           // raw bytes; may be empty (alg "none")
  std::string_view signing_input;  // "<header>.<payload>", a view into the token
};

// The parts of `token`. Throws AuthError token_malformed when the token is over
// kMaxTokenBytes, is not exactly three segments of strict base64url, or its header or
// payload is not a JSON object. The messages never quote the token.
CompactJws SplitCompactJws(std::string_view token);

}  // namespace fabtrace::auth::detail
