// Assertions on the AuthErrors a verifier throws.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "fabtrace/auth/jwt_verifier.h"

namespace fabtrace::auth::testing {

// Whether `message` shows `token` or any 12 consecutive characters of it.
inline bool QuotesToken(std::string_view message, std::string_view token) {
  constexpr std::size_t kWindow = 12;
  if (token.empty()) return false;
  if (token.size() < kWindow) return message.find(token) != std::string_view::npos;
  for (std::size_t i = 0; i + kWindow <= token.size(); ++i) {
    if (message.find(token.substr(i, kWindow)) != std::string_view::npos) return true;
  }
  return false;
}

// Success when verifier.Verify(token) throws an AuthError of `code` whose message does not
// quote the token (nor `secret_part`, e.g. the kid, when given).
inline ::testing::AssertionResult FailsWith(const JwtVerifier& verifier, const std::string& token,
                                            AuthErrorCode code, std::string_view secret_part = {}) {
  try {
    verifier.Verify(token);
  } catch (const AuthError& error) {
    const std::string_view message = error.what();
    if (error.code() != code) {
      return ::testing::AssertionFailure() << "code " << error.code_name() << " instead of "
                                           << CodeName(code) << " (" << message << ")";
    }
    if (QuotesToken(message, token) ||
        (!secret_part.empty() && message.find(secret_part) != std::string_view::npos)) {
      return ::testing::AssertionFailure() << "the message quotes the token: " << message;
    }
    return ::testing::AssertionSuccess();
  } catch (const std::exception& error) {
    return ::testing::AssertionFailure() << "threw a non-AuthError: " << error.what();
  }
  return ::testing::AssertionFailure() << "the token was accepted";
}

}  // namespace fabtrace::auth::testing
