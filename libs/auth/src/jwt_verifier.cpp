#include "fabtrace/auth/jwt_verifier.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

#include "compact_jws.h"
#include "jwks_fetch.h"
#include "key_cache.h"
#include "rs256.h"

namespace fabtrace::auth {
namespace {

using nlohmann::json;
using TimePoint = std::chrono::system_clock::time_point;

// Latest NumericDate taken (about year 2223): later ones would overflow TimePoint.
constexpr double kMaxNumericDate = 8e9;

// The claims Verify checks and reports, with their JSON types checked.
struct TokenClaims {
  Claims claims;
  std::optional<std::string> issuer;
  std::optional<std::vector<std::string>> audiences;
  std::optional<std::string> type;
  std::optional<TimePoint> not_before;
};

[[noreturn]] void Malformed(const std::string& why) {
  throw AuthError(AuthErrorCode::kTokenMalformed, "malformed token: " + why);
}

std::optional<std::string> OptionalString(const json& object, const char* name) {
  const auto it = object.find(name);
  if (it == object.end()) return std::nullopt;
  if (!it->is_string()) Malformed(std::string("claim ") + name + " is not a string");
  return it->get<std::string>();
}

std::optional<TimePoint> OptionalNumericDate(const json& payload, const char* name) {
  const auto it = payload.find(name);
  if (it == payload.end()) return std::nullopt;
  if (!it->is_number()) Malformed(std::string("claim ") + name + " is not a number");
  const auto seconds = it->get<double>();
  if (!std::isfinite(seconds) || seconds < 0 || seconds > kMaxNumericDate) {
    Malformed(std::string("claim ") + name + " is out of range");
  }
  return TimePoint(
      std::chrono::duration_cast<TimePoint::duration>(std::chrono::duration<double>(seconds)));
}

std::optional<std::vector<std::string>> Audiences(const json& payload) {
  const auto it = payload.find("aud");
  if (it == payload.end()) return std::nullopt;
  if (it->is_string()) return std::vector<std::string>{it->get<std::string>()};
  if (!it->is_array()) Malformed("claim aud is neither a string nor an array");
  std::vector<std::string> audiences;
  for (const auto& audience : *it) {
    if (!audience.is_string()) Malformed("claim aud holds a non-string");
    audiences.push_back(audience.get<std::string>());
  }
  return audiences;
}

std::set<std::string, std::less<>> RealmRoles(const json& payload) {
  std::set<std::string, std::less<>> roles;
  const auto access = payload.find("realm_access");
  if (access == payload.end()) return roles;
  if (!access->is_object()) Malformed("claim realm_access is not an object");
  const auto list = access->find("roles");
  if (list == access->end()) return roles;
  if (!list->is_array()) Malformed("claim realm_access.roles is not an array");
  for (const auto& role : *list) {
    if (!role.is_string()) Malformed("claim realm_access.roles holds a non-string");
    roles.insert(role.get<std::string>());
  }
  return roles;
}

TokenClaims ReadClaims(const json& payload) {
  TokenClaims token;
  token.issuer = OptionalString(payload, "iss");
  token.audiences = Audiences(payload);
  token.type = OptionalString(payload, "typ");
  token.not_before = OptionalNumericDate(payload, "nbf");
  const auto expiry = OptionalNumericDate(payload, "exp");
  if (!expiry) Malformed("claim exp is missing");
  token.claims.expiry = *expiry;
  token.claims.subject = OptionalString(payload, "sub").value_or("");
  token.claims.preferred_username = OptionalString(payload, "preferred_username").value_or("");
  token.claims.azp = OptionalString(payload, "azp").value_or("");
  token.claims.roles = RealmRoles(payload);
  return token;
}

// The kid of an RS256 header; throws for anything else.
std::string CheckHeader(const json& header) {
  const auto alg = header.find("alg");
  if (alg == header.end() || !alg->is_string()) Malformed("the header has no alg");
  if (*alg != "RS256") {
    throw AuthError(AuthErrorCode::kBadSignature, "only RS256 signatures are accepted");
  }
  if (header.contains("crit")) Malformed("the header has crit extensions");
  const auto kid = OptionalString(header, "kid");
  if (!kid || kid->empty()) Malformed("the header has no kid");
  return *kid;
}

JwksSource FetchFrom(const JwtVerifierOptions& options) {
  detail::JwksFetchOptions fetch;
  fetch.url = options.jwks_url;
  fetch.connect_timeout = options.fetch_connect_timeout;
  fetch.timeout = options.fetch_timeout;
  fetch.ca_file = options.ca_file;
  return [fetch] { return detail::FetchJwks(fetch); };
}

JwtVerifierOptions Checked(JwtVerifierOptions options) {
  if (options.issuer.empty()) throw std::invalid_argument("JwtVerifier: issuer is required");
  if (options.audience.empty()) throw std::invalid_argument("JwtVerifier: audience is required");
  if (options.leeway.count() < 0) throw std::invalid_argument("JwtVerifier: negative leeway");
  if (options.jwks_url.empty()) {
    std::string base = options.issuer;
    if (base.back() == '/') base.pop_back();
    options.jwks_url = base + "/protocol/openid-connect/certs";
  }
  return options;
}

}  // namespace

JwtVerifier::JwtVerifier(JwtVerifierOptions options) : options_(Checked(std::move(options))) {
  keys_ = std::make_unique<detail::KeyCache>(FetchFrom(options_), options_.jwks_refresh_interval,
                                             options_.jwks_min_refresh_interval);
}

JwtVerifier::JwtVerifier(JwtVerifierOptions options, JwksSource jwks_source)
    : options_(Checked(std::move(options))) {
  if (!jwks_source) throw std::invalid_argument("JwtVerifier: empty JWKS source");
  keys_ = std::make_unique<detail::KeyCache>(std::move(jwks_source), options_.jwks_refresh_interval,
                                             options_.jwks_min_refresh_interval);
}

JwtVerifier::~JwtVerifier() = default;

Claims JwtVerifier::Verify(std::string_view bearer_token) const {
  if (bearer_token.empty()) throw AuthError(AuthErrorCode::kTokenMissing, "no bearer token");
  const auto jws = detail::SplitCompactJws(bearer_token);
  const auto kid = CheckHeader(jws.header);
  auto token = ReadClaims(jws.payload);
  // A token that cannot carry a valid signature must not cost a JWKS fetch.
  if (jws.signature.empty()) {
    throw AuthError(AuthErrorCode::kBadSignature, "the token has no signature");
  }

  const auto key = keys_->Find(kid);
  if (!detail::VerifyRs256(key.get(), jws.signing_input, jws.signature)) {
    throw AuthError(AuthErrorCode::kBadSignature, "the signature does not match");
  }

  if (!token.issuer || *token.issuer != options_.issuer) {
    throw AuthError(AuthErrorCode::kWrongIssuer, "the token was not issued by " + options_.issuer);
  }
  if (!token.audiences || std::find(token.audiences->begin(), token.audiences->end(),
                                    options_.audience) == token.audiences->end()) {
    throw AuthError(AuthErrorCode::kWrongAudience,
                    "the token is not meant for audience " + options_.audience);
  }
  if (token.type && *token.type != "Bearer") {
    throw AuthError(AuthErrorCode::kWrongAudience, "the token is not an access token");
  }
  const auto now = std::chrono::system_clock::now();
  if (now >= token.claims.expiry + options_.leeway) {
    throw AuthError(AuthErrorCode::kTokenExpired, "the token has expired");
  }
  if (token.not_before && now + options_.leeway < *token.not_before) {
    throw AuthError(AuthErrorCode::kTokenNotYetValid, "the token is not valid yet");
  }
  return std::move(token.claims);
}

}  // namespace fabtrace::auth
