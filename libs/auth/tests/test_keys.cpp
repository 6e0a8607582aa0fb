#include "test_keys.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "base64url.h"

namespace fabtrace::auth::testing {
namespace {

std::string BigNumParam(EVP_PKEY* key, const char* name) {
  BIGNUM* number = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &number) != 1) throw std::runtime_error("no RSA param");
  std::string bytes(static_cast<std::size_t>(BN_num_bytes(number)), '\0');
  BN_bn2bin(number, reinterpret_cast<unsigned char*>(bytes.data()));
  BN_free(number);
  return bytes;
}

}  // namespace

TestKey::TestKey(std::size_t bits) : TestKey(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", bits)) {}

TestKey::TestKey(EVP_PKEY* key) : key_(key, &EVP_PKEY_free) {
  if (!key_) throw std::runtime_error("no RSA key");
}

TestKey TestKey::Kept(const std::string& name) {
  const std::filesystem::path file = std::filesystem::path(FABTRACE_TEST_KEY_DIR) / (name + ".pem");
  if (FILE* in = std::fopen(file.c_str(), "r")) {
    EVP_PKEY* key = PEM_read_PrivateKey(in, nullptr, nullptr, nullptr);
    std::fclose(in);
    if (key) return TestKey(key);
  }
  TestKey made;
  // Written aside and renamed: a test running at the same time reads a whole key or none.
  std::error_code ignored;
  std::filesystem::create_directories(file.parent_path(), ignored);
  const auto aside = file.string() + "." + std::to_string(::getpid());
  if (FILE* out = std::fopen(aside.c_str(), "w")) {
    const bool written =
        PEM_write_PrivateKey(out, made.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1;
    if (std::fclose(out) == 0 && written) std::filesystem::rename(aside, file, ignored);
    std::filesystem::remove(aside, ignored);
  }
  return made;
}

nlohmann::json TestKey::Jwk(const std::string& kid) const {
  return {{"kid", kid},
          {"kty", "RSA"},
          {"alg", "RS256"},
          {"use", "sig"},
          {"n", base64url::Encode(BigNumParam(key_.get(), OSSL_PKEY_PARAM_RSA_N))},
          {"e", base64url::Encode(BigNumParam(key_.get(), OSSL_PKEY_PARAM_RSA_E))}};
}

std::string TestKey::SignRs256(std::string_view input) const {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                  &EVP_MD_CTX_free);
  std::size_t length = 0;
  if (!context ||
      EVP_DigestSignInit_ex(context.get(), nullptr, "SHA256", nullptr, nullptr, key_.get(),
                            nullptr) != 1 ||
      EVP_DigestSign(context.get(), nullptr, &length,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
    throw std::runtime_error("signing failed");
  }
  std::string signature(length, '\0');
  if (EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
    throw std::runtime_error("signing failed");
  }
  signature.resize(length);
  return signature;
}

const TestKey& KeyA() {
  static const TestKey key = TestKey::Kept("key-a");
  return key;
}

const TestKey& KeyB() {
  static const TestKey key = TestKey::Kept("key-b");
  return key;
}

const TestKey& KeyC() {
  static const TestKey key = TestKey::Kept("key-c");
  return key;
}

std::string JwksOf(const std::vector<NamedKey>& keys) {
  auto list = nlohmann::json::array();
  for (const auto& named : keys) list.push_back(named.key->Jwk(named.kid));
  auto encryption = KeyC().Jwk("enc-key");
  encryption["use"] = "enc";
  encryption["alg"] = "RSA-OAEP";
  list.push_back(encryption);
  return nlohmann::json{{"keys", list}}.dump();
}

std::string Assemble(std::string_view header_json, std::string_view payload_json,
                     std::string_view signature) {
  return base64url::Encode(header_json) + "." + base64url::Encode(payload_json) + "." +
         base64url::Encode(signature);
}

std::string SignedTokenWithHeader(const TestKey& key, const nlohmann::json& header,
                                  const nlohmann::json& payload) {
  const auto input = base64url::Encode(header.dump()) + "." + base64url::Encode(payload.dump());
  return input + "." + base64url::Encode(key.SignRs256(input));
}

std::string SignedToken(const TestKey& key, const std::string& kid, const nlohmann::json& payload) {
  return SignedTokenWithHeader(key, {{"alg", "RS256"}, {"typ", "JWT"}, {"kid", kid}}, payload);
}

std::int64_t EpochSeconds(std::chrono::seconds offset) {
  return std::chrono::duration_cast<std::chrono::seconds>(
             (std::chrono::system_clock::now() + offset).time_since_epoch())
      .count();
}

nlohmann::json ValidPayload() {
  using std::chrono::seconds;
  return {{"exp", EpochSeconds(seconds(300))},
          {"iat", EpochSeconds(seconds(0))},
          {"jti", "4f1c2a9e-0d7b-4c55-9b7e-2f0a1c3d5e6f"},
          {"iss", kIssuer},
          {"aud", nlohmann::json::array({kAudience, "account"})},
          {"sub", "8d1e5b2c-3f4a-4b6c-9d7e-1a2b3c4d5e6f"},
          {"typ", "Bearer"},
          {"azp", "shop-web"},
          {"preferred_username", "erika.muster"},
          {"realm_access", {{"roles", {"default-roles-fabtrace", "shop-clerk"}}}},
          {"scope", "openid profile email"}};
}

JwtVerifierOptions TestOptions() {
  JwtVerifierOptions options;
  options.issuer = kIssuer;
  options.audience = kAudience;
  return options;
}

std::string HmacSha256(std::string_view secret, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  std::size_t length = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, secret.data(), secret.size(),
                reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, sizeof out,
                &length) == nullptr) {
    throw std::runtime_error("HMAC failed");
  }
  return std::string(reinterpret_cast<const char*>(out), length);
}

}  // namespace fabtrace::auth::testing
