// RSA keys, JWKS documents and RS256-signed tokens made up in the tests.
#pragma once

#include <openssl/evp.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "fabtrace/auth/jwt_verifier.h"

namespace fabtrace::auth::testing {

inline constexpr const char* kIssuer = "http://127.0.0.1:8080/realms/fabtrace";
inline constexpr const char* kAudience = "shop-api";

class TestKey {
 public:
  explicit TestKey(std::size_t bits = 2048);
  // A 2048-bit key generated once per build folder and kept there as <name>.pem: CTest runs
  // every test in a process of its own, and generating a key takes ~0.3 s.
  static TestKey Kept(const std::string& name);

  EVP_PKEY* get() const { return key_.get(); }
  // The public JWK of the key, as Keycloak publishes a signing key.
  nlohmann::json Jwk(const std::string& kid) const;
  // The RS256 signature (raw bytes) of `input`.
  std::string SignRs256(std::string_view input) const;

 private:
  explicit TestKey(EVP_PKEY* key);
  std::shared_ptr<EVP_PKEY> key_;
};

// Three kept keys (TestKey::Kept).
const TestKey& KeyA();
const TestKey& KeyB();
const TestKey& KeyC();

struct NamedKey {
  const TestKey* key;
  std::string kid;
};

// A JWKS of the keys' signing JWKs plus, like Keycloak's, an RSA-OAEP encryption key.
std::string JwksOf(const std::vector<NamedKey>& keys);

// "<b64url(header)>.<b64url(payload)>.<b64url(signature)>" from texts.
std::string Assemble(std::string_view header_json, std::string_view payload_json,
                     std::string_view signature);

// A token with header {"alg":"RS256","typ":"JWT","kid":kid} signed by `key`.
std::string SignedToken(const TestKey& key, const std::string& kid, const nlohmann::json& payload);
// A token with the given header, signed with RS256 by `key`.
std::string SignedTokenWithHeader(const TestKey& key, const nlohmann::json& header,
                                  const nlohmann::json& payload);

// Seconds since the epoch, `offset` from now.
std::int64_t EpochSeconds(std::chrono::seconds offset);

// A Keycloak-like access token payload that the test verifier accepts.
nlohmann::json ValidPayload();

JwtVerifierOptions TestOptions();

// The raw HMAC-SHA256 of `data` under `secret`.
std::string HmacSha256(std::string_view secret, std::string_view data);

}  // namespace fabtrace::auth::testing
