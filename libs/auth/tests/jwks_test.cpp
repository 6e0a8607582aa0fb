#include "jwks.h"

#include <gtest/gtest.h>

#include "test_keys.h"

namespace fabtrace::auth::detail {
namespace {

using auth::testing::KeyA;
using auth::testing::KeyB;
using auth::testing::TestKey;
using nlohmann::json;

TEST(Jwks, KeepsTheRsaSigningKeysByKid) {
  auto no_use_no_alg = KeyB().Jwk("b");
  no_use_no_alg.erase("use");
  no_use_no_alg.erase("alg");
  auto encryption = KeyA().Jwk("enc");
  encryption["use"] = "enc";
  encryption["alg"] = "RSA-OAEP";
  const json jwks = {{"keys",
                      {KeyA().Jwk("a"),
                       no_use_no_alg,
                       encryption,
                       {{"kid", "ec"}, {"kty", "EC"}, {"crv", "P-256"}, {"x", "AA"}, {"y", "AA"}},
                       "not an object"}}};
  const auto keys = ParseJwks(jwks.dump());
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(EVP_PKEY_eq(keys.at("a").get(), KeyA().get()), 1);
  EXPECT_EQ(EVP_PKEY_eq(keys.at("b").get(), KeyB().get()), 1);
}

TEST(Jwks, SkipsUnusableKeys) {
  const TestKey small(1024);
  auto bad_n = KeyA().Jwk("bad-n");
  bad_n["n"] = bad_n["n"].get<std::string>() + "=";
  auto number_n = KeyA().Jwk("number-n");
  number_n["n"] = 12345;
  auto no_kid = KeyA().Jwk("x");
  no_kid.erase("kid");
  auto even_e = KeyA().Jwk("even-e");
  even_e["e"] = "AQAC";  // 65538
  auto hs = KeyA().Jwk("hs");
  hs["alg"] = "HS256";
  const json jwks = {
      {"keys", {small.Jwk("small"), bad_n, number_n, no_kid, even_e, hs, KeyB().Jwk("good")}}};
  const auto keys = ParseJwks(jwks.dump());
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys.count("good"), 1u);
}

TEST(Jwks, FirstOfTwoKeysWithOneKidWins) {
  const json jwks = {{"keys", {KeyA().Jwk("same"), KeyB().Jwk("same")}}};
  const auto keys = ParseJwks(jwks.dump());
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(EVP_PKEY_eq(keys.at("same").get(), KeyA().get()), 1);
}

TEST(Jwks, DocumentsWithoutUsableKeysAreErrors) {
  for (const std::string& text :
       {std::string("not json"), std::string("[]"), std::string("{}"),
        std::string(R"({"keys":{}})"), std::string(R"({"keys":[]})"),
        json{{"keys", {{{"kty", "oct"}, {"kid", "k"}, {"k", "c2VjcmV0"}}}}}.dump()}) {
    EXPECT_THROW(ParseJwks(text), std::runtime_error) << text;
  }
}

}  // namespace
}  // namespace fabtrace::auth::detail
