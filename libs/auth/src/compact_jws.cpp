#include "compact_jws.h"

#include "base64url.h"
#include "fabtrace/auth/jwt_verifier.h"

namespace fabtrace::auth::detail {
namespace {

[[noreturn]] void Malformed(const std::string& why) {
  throw AuthError(AuthErrorCode::kTokenMalformed, "malformed token: " + why);
}

std::string DecodeSegment(std::string_view segment, const char* name) {
  auto bytes = base64url::Decode(segment);
  if (!bytes) Malformed(std::string(name) + " is not strict base64url");
  return std::move(*bytes);
}

nlohmann::json DecodeJsonObject(std::string_view segment, const char* name) {
  if (segment.empty()) Malformed(std::string("empty ") + name);
  const auto text = DecodeSegment(segment, name);
  // JSON text has no raw NUL, and the parser would take one as the end of the input.
  if (text.find('\0') != std::string::npos) Malformed(std::string(name) + " contains NUL");
  // Without exceptions: the parser's messages quote the text, which must not leak.
  auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) {
    Malformed(std::string(name) + " is not a JSON object");
  }
  return json;
}

}  // namespace

CompactJws SplitCompactJws(std::string_view token) {
  if (token.size() > kMaxTokenBytes) Malformed("longer than 8 KiB");
  const auto first_dot = token.find('.');
  const auto second_dot =
      first_dot == std::string_view::npos ? first_dot : token.find('.', first_dot + 1);
  if (second_dot == std::string_view::npos ||
      token.find('.', second_dot + 1) != std::string_view::npos) {
    Malformed("not three dot-separated segments");
  }
  CompactJws jws;
  jws.header = DecodeJsonObject(token.substr(0, first_dot), "header");
  jws.payload =
      DecodeJsonObject(token.substr(first_dot + 1, second_dot - first_dot - 1), "payload");
  jws.signature = DecodeSegment(token.substr(second_dot + 1), "signature");
  jws.signing_input = token.substr(0, second_dot);
  return jws;
}

}  // namespace fabtrace::auth::detail
