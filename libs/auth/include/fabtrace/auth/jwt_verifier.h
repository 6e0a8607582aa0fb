// Checks the OAuth2 bearer access tokens that Keycloak issues to the employees of the
// `fabtrace` realm, so that a C++ API can tell who calls it and with which realm roles.
//
// JwtVerifier::Verify accepts a token only when all of this holds:
//  - it is at most 8 KiB long (longer tokens are refused before any parsing) and is a
//    compact JWS of exactly three strict base64url segments (unpadded, only A-Z a-z 0-9
//    - _) whose header and payload are JSON objects;
//  - the header says alg "RS256" (none, HS256 and every other algorithm are refused), has
//    no "crit", and names in "kid" an RSA signing key of the realm's JSON Web Key Set; the
//    signature checks against that key. jku, x5u and jwk headers are ignored: keys only
//    ever come from the configured JWKS;
//  - "iss" equals JwtVerifierOptions::issuer exactly;
//  - "aud", a string or an array of strings, contains JwtVerifierOptions::audience.
//    "azp" plays no part in this: Keycloak writes the client that asked for the token into
//    azp, and an audience mapper (on that client or a client scope) adds the API to aud.
//    azp is only reported in Claims;
//  - "typ", when present, is "Bearer": Keycloak ID tokens ("ID") are refused;
//  - "exp" has not passed and "nbf" (optional) has come, both give or take `leeway`.
//
// Keys are fetched with libcurl from jwks_url (by default
// <issuer>/protocol/openid-connect/certs) on first use, not in the constructor, so a
// service may start before Keycloak. They are kept in memory and fetched again every
// jwks_refresh_interval, and when a token names a kid the set lacks (at most once per
// jwks_min_refresh_interval, so tokens with made-up kids cannot flood Keycloak). A failed
// refresh keeps the keys already known. There is no background thread: a refresh runs
// inside the Verify call that needs it, and fetches run one at a time. The fetch has its
// own timeouts and is not shortened to the request's Deadline, because the keys it brings
// serve every request.
//
// Failures throw AuthError with a machine code. Its message never contains the token or
// any part of it (not even the kid), so it can be logged and sent back as is.
//
// This library is deliberately untraced: it creates no spans and does not link
// OpenTelemetry. JwtVerifier is thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>

namespace fabtrace::auth {

enum class AuthErrorCode {
  kTokenMissing,      // no token, or no Bearer token in the Authorization header
  kTokenMalformed,    // not a well-formed JWS / JWT, or over 8 KiB
  kTokenExpired,      // exp has passed
  kTokenNotYetValid,  // nbf has not come yet
  kBadSignature,      // alg is not RS256, or the signature does not check
  kUnknownKey,        // no key of the JWKS has the token's kid
  kWrongIssuer,       // iss is missing or not the configured issuer
  kWrongAudience,     // aud lacks the configured audience, or typ is not "Bearer"
  kJwksUnavailable,   // the key set could not be fetched or parsed
  kRoleMissing,       // RequireRole: the caller lacks the role
};

// "token_missing", "token_malformed", ..., "role_missing".
std::string_view CodeName(AuthErrorCode code);

class AuthError : public std::runtime_error {
 public:
  AuthError(AuthErrorCode code, const std::string& message);

  AuthErrorCode code() const { return code_; }
  std::string_view code_name() const { return CodeName(code_); }
  // 403 for role_missing, 503 for jwks_unavailable (the caller is not at fault), 401 for
  // all the others (answer those with `WWW-Authenticate: Bearer`).
  int http_status() const;

 private:
  AuthErrorCode code_;
};

// What a verified token says about its bearer.
struct Claims {
  std::string subject;                           // sub; empty when the token has none
  std::string preferred_username;                // empty when the token has none
  std::string azp;                               // the client the token was issued to; may be empty
  std::set<std::string, std::less<>> roles;      // realm_access.roles
  std::chrono::system_clock::time_point expiry;  // exp

  bool HasRole(std::string_view role) const { return roles.find(role) != roles.end(); }
};

struct JwtVerifierOptions {
  std::string issuer;               // required, e.g. "http://127.0.0.1:8080/realms/fabtrace"
  std::string audience;             // required: must be one of the token's aud values
  std::string jwks_url;             // empty: issuer + "/protocol/openid-connect/certs"
  std::chrono::seconds leeway{30};  // clock skew allowed on exp and nbf
  std::chrono::milliseconds jwks_refresh_interval{std::chrono::minutes(5)};
  // Least time between two fetches caused by unknown kids, and between a failed fetch and
  // the next attempt.
  std::chrono::milliseconds jwks_min_refresh_interval{std::chrono::seconds(10)};
  std::chrono::milliseconds fetch_connect_timeout{2000};
  std::chrono::milliseconds fetch_timeout{5000};  // the whole fetch
  std::string ca_file;  // PEM bundle trusted for an https JWKS URL; empty: the system's
};

// Returns the JWKS JSON text; throws (any std::exception) when it cannot.
using JwksSource = std::function<std::string()>;

namespace detail {
class KeyCache;
}

class JwtVerifier {
 public:
  // Fetches the JWKS from options.jwks_url. Throws std::invalid_argument when issuer or
  // audience is empty or leeway is negative.
  explicit JwtVerifier(JwtVerifierOptions options);
  // Takes the JWKS from `jwks_source` instead (tests, or keys from elsewhere);
  // options.jwks_url and the fetch timeouts are then unused.
  JwtVerifier(JwtVerifierOptions options, JwksSource jwks_source);
  ~JwtVerifier();

  JwtVerifier(const JwtVerifier&) = delete;
  JwtVerifier& operator=(const JwtVerifier&) = delete;

  // The claims of `bearer_token` (the token alone, without "Bearer "); throws AuthError.
  Claims Verify(std::string_view bearer_token) const;

  const JwtVerifierOptions& options() const { return options_; }

 private:
  JwtVerifierOptions options_;
  std::unique_ptr<detail::KeyCache> keys_;
};

// The token of an Authorization header value "Bearer <token>": the scheme is
// case-insensitive, spaces and tabs around the token are skipped. The result is a view
// into `authorization_header`. Throws AuthError token_missing when the value is empty,
// has another scheme (e.g. "Basic ...") or no token, and token_malformed when the token
// contains whitespace.
std::string_view BearerToken(std::string_view authorization_header);

// Throws AuthError role_missing (HTTP 403) unless `role` is one of claims.roles.
void RequireRole(const Claims& claims, std::string_view role);

}  // namespace fabtrace::auth
