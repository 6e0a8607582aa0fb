#include <algorithm>
#include <cctype>

#include "fabtrace/auth/jwt_verifier.h"

namespace fabtrace::auth {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

std::string_view Trim(std::string_view text) {
  while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
  return text;
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::string_view BearerToken(std::string_view authorization_header) {
  const auto value = Trim(authorization_header);
  if (value.empty()) {
    throw AuthError(AuthErrorCode::kTokenMissing, "no Authorization header");
  }
  const auto scheme_end = std::find_if(value.begin(), value.end(), IsSpace);
  const auto scheme = value.substr(0, static_cast<std::size_t>(scheme_end - value.begin()));
  if (!EqualsIgnoringCase(scheme, "Bearer")) {
    throw AuthError(AuthErrorCode::kTokenMissing,
                    "the Authorization header does not carry a Bearer token");
  }
  const auto token = Trim(value.substr(scheme.size()));
  if (token.empty()) {
    throw AuthError(AuthErrorCode::kTokenMissing, "the Authorization header has no token");
  }
  if (std::any_of(token.begin(), token.end(),
                  [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; })) {
    throw AuthError(AuthErrorCode::kTokenMalformed, "the bearer token contains whitespace");
  }
  return token;
}

}  // namespace fabtrace::auth
