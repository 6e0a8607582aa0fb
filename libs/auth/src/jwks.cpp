#include "jwks.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "base64url.h"

namespace fabtrace::auth::detail {
namespace {

constexpr int kMinRsaBits = 2048;
constexpr int kMaxRsaBits = 8192;

using BigNum = std::unique_ptr<BIGNUM, decltype(&BN_free)>;
using ParamBuilder = std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)>;
using Params = std::unique_ptr<OSSL_PARAM, decltype(&OSSL_PARAM_free)>;
using KeyContext = std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)>;

BigNum ToBigNum(std::string_view base64url_text) {
  const auto bytes = base64url::Decode(base64url_text);
  if (!bytes || bytes->empty()) return BigNum(nullptr, &BN_free);
  return BigNum(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes->data()),
                          static_cast<int>(bytes->size()), nullptr),
                &BN_free);
}

PublicKey BuildKey(const BIGNUM* n, const BIGNUM* e) {
  ParamBuilder builder(OSSL_PARAM_BLD_new(), &OSSL_PARAM_BLD_free);
  if (!builder || OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, n) != 1 ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, e) != 1) {
    return nullptr;
  }
  Params params(OSSL_PARAM_BLD_to_param(builder.get()), &OSSL_PARAM_free);
  KeyContext context(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr), &EVP_PKEY_CTX_free);
  if (!params || !context || EVP_PKEY_fromdata_init(context.get()) != 1) return nullptr;
  EVP_PKEY* key = nullptr;
  if (EVP_PKEY_fromdata(context.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return nullptr;
  }
  return PublicKey(key, &EVP_PKEY_free);
}

bool IsSound(EVP_PKEY* key) {
  const int bits = EVP_PKEY_get_bits(key);
  if (bits < kMinRsaBits || bits > kMaxRsaBits) return false;
  KeyContext context(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr), &EVP_PKEY_CTX_free);
  return context && EVP_PKEY_public_check(context.get()) == 1;
}

const std::string* StringMember(const nlohmann::json& object, const char* name) {
  const auto it = object.find(name);
  if (it == object.end() || !it->is_string()) return nullptr;
  return it->get_ptr<const std::string*>();
}

bool IsAbsentOr(const nlohmann::json& object, const char* name, std::string_view expected) {
  if (!object.contains(name)) return true;
  const auto* value = StringMember(object, name);
  return value && *value == expected;
}

}  // namespace

PublicKey RsaPublicKey(std::string_view n, std::string_view e) {
  const auto modulus = ToBigNum(n);
  const auto exponent = ToBigNum(e);
  PublicKey key;
  if (modulus && exponent) key = BuildKey(modulus.get(), exponent.get());
  if (key && !IsSound(key.get())) key.reset();
  if (!key) ERR_clear_error();
  return key;
}

KeySet ParseJwks(std::string_view jwks_json) {
  const auto document = nlohmann::json::parse(jwks_json.begin(), jwks_json.end(), nullptr,
                                              /*allow_exceptions=*/false);
  if (document.is_discarded() || !document.is_object()) {
    throw std::runtime_error("the JWKS is not a JSON object");
  }
  const auto keys = document.find("keys");
  if (keys == document.end() || !keys->is_array()) {
    throw std::runtime_error("the JWKS has no \"keys\" array");
  }
  KeySet result;
  for (const auto& jwk : *keys) {
    if (!jwk.is_object()) continue;
    const auto* kty = StringMember(jwk, "kty");
    const auto* kid = StringMember(jwk, "kid");
    const auto* n = StringMember(jwk, "n");
    const auto* e = StringMember(jwk, "e");
    if (!kty || *kty != "RSA" || !kid || kid->empty() || !n || !e) continue;
    if (!IsAbsentOr(jwk, "use", "sig") || !IsAbsentOr(jwk, "alg", "RS256")) continue;
    if (result.count(*kid) != 0) continue;
    if (auto key = RsaPublicKey(*n, *e)) result.emplace(*kid, std::move(key));
  }
  if (result.empty()) {
    throw std::runtime_error("the JWKS holds no RSA key usable for RS256");
  }
  return result;
}

}  // namespace fabtrace::auth::detail
