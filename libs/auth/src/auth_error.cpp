#include "fabtrace/auth/jwt_verifier.h"

namespace fabtrace::auth {

std::string_view CodeName(AuthErrorCode code) {
  switch (code) {
    case AuthErrorCode::kTokenMissing:
      return "token_missing";
    case AuthErrorCode::kTokenMalformed:
      return "token_malformed";
    case AuthErrorCode::kTokenExpired:
      return "token_expired";
    case AuthErrorCode::kTokenNotYetValid:
      return "token_not_yet_valid";
    case AuthErrorCode::kBadSignature:
      return "bad_signature";
    case AuthErrorCode::kUnknownKey:
      return "unknown_key";
    case AuthErrorCode::kWrongIssuer:
      return "wrong_issuer";
    case AuthErrorCode::kWrongAudience:
      return "wrong_audience";
    case AuthErrorCode::kJwksUnavailable:
      return "jwks_unavailable";
    case AuthErrorCode::kRoleMissing:
      return "role_missing";
  }
  return "unknown";
}

AuthError::AuthError(AuthErrorCode code, const std::string& message)
    : std::runtime_error(message), code_(code) {}

int AuthError::http_status() const {
  switch (code_) {
    case AuthErrorCode::kRoleMissing:
      return 403;
    case AuthErrorCode::kJwksUnavailable:
      return 503;
    default:
      return 401;
  }
}

}  // namespace fabtrace::auth
