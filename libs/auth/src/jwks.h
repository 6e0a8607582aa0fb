// The RSA signing keys of a JSON Web Key Set (RFC 7517), as OpenSSL public keys by kid.
#pragma once

#include <openssl/evp.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace fabtrace::auth::detail {

using PublicKey = std::shared_ptr<EVP_PKEY>;
using KeySet = std::map<std::string, PublicKey, std::less<>>;

// The RSA public key of modulus `n` and exponent `e` (strict base64url, big-endian), or
// nullptr when they do not make a valid key of 2048 to 8192 bits.
PublicKey RsaPublicKey(std::string_view n, std::string_view e);

// The keys of `jwks_json` usable for RS256: kty "RSA", a non-empty string kid, use "sig"
// or absent, alg "RS256" or absent, valid n and e. Other keys (Keycloak also publishes an
// RSA-OAEP encryption key) are skipped; of two keys with one kid the first is kept.
// Throws std::runtime_error when the text is not a JWKS or holds no usable key.
KeySet ParseJwks(std::string_view jwks_json);

}  // namespace fabtrace::auth::detail
