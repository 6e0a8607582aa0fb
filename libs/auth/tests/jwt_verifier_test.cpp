#include "fabtrace/auth/jwt_verifier.h"

#include <gtest/gtest.h>

#include "auth_assertions.h"
#include "base64url.h"
#include "test_keys.h"

namespace fabtrace::auth {
namespace {

using namespace testing;  // NOLINT: the test helpers
using nlohmann::json;
using std::chrono::seconds;

constexpr const char* kKid = "kid-alpha-2024";

class JwtVerifierFixture : public ::testing::Test {
 protected:
  JwtVerifier MakeVerifier(JwtVerifierOptions options = TestOptions()) {
    return JwtVerifier(options, [] { return JwksOf({{&KeyA(), kKid}}); });
  }
  static std::string Token(const json& payload) { return SignedToken(KeyA(), kKid, payload); }
};

using Verify = JwtVerifierFixture;

TEST_F(Verify, ValidTokenGivesItsClaims) {
  const auto verifier = MakeVerifier();
  auto payload = ValidPayload();
  const auto exp = EpochSeconds(seconds(300));
  payload["exp"] = exp;
  const auto claims = verifier.Verify(Token(payload));
  EXPECT_EQ(claims.subject, "8d1e5b2c-3f4a-4b6c-9d7e-1a2b3c4d5e6f");
  EXPECT_EQ(claims.preferred_username, "erika.muster");
  EXPECT_EQ(claims.azp, "shop-web");
  EXPECT_EQ(claims.roles,
            (std::set<std::string, std::less<>>{"default-roles-fabtrace", "shop-clerk"}));
  EXPECT_TRUE(claims.HasRole("shop-clerk"));
  EXPECT_FALSE(claims.HasRole("shop-admin"));
  EXPECT_EQ(std::chrono::system_clock::to_time_t(claims.expiry), exp);
  EXPECT_NO_THROW(RequireRole(claims, "shop-clerk"));
}

TEST_F(Verify, AudienceAsAStringAndOptionalClaimsAbsent) {
  const auto verifier = MakeVerifier();
  auto payload = ValidPayload();
  payload["aud"] = kAudience;
  for (const char* name : {"sub", "preferred_username", "azp", "typ", "realm_access"}) {
    payload.erase(name);
  }
  payload["exp"] = static_cast<double>(EpochSeconds(seconds(300))) + 0.5;  // NumericDate
  const auto claims = verifier.Verify(Token(payload));
  EXPECT_TRUE(claims.subject.empty());
  EXPECT_TRUE(claims.roles.empty());
}

TEST_F(Verify, MissingRoleIs403RoleMissing) {
  const auto verifier = MakeVerifier();
  const auto claims = verifier.Verify(Token(ValidPayload()));
  try {
    RequireRole(claims, "shop-admin");
    FAIL() << "RequireRole accepted a missing role";
  } catch (const AuthError& error) {
    EXPECT_EQ(error.code(), AuthErrorCode::kRoleMissing);
    EXPECT_EQ(error.code_name(), "role_missing");
    EXPECT_EQ(error.http_status(), 403);
  }
}

TEST_F(Verify, ExpiredTokensAreRefusedBeyondTheLeeway) {
  auto payload = ValidPayload();
  payload["exp"] = EpochSeconds(seconds(-120));
  EXPECT_TRUE(FailsWith(MakeVerifier(), Token(payload), AuthErrorCode::kTokenExpired));

  payload["exp"] = EpochSeconds(seconds(-10));  // within the default 30 s
  EXPECT_NO_THROW(MakeVerifier().Verify(Token(payload)));
  auto strict = TestOptions();
  strict.leeway = seconds(0);
  EXPECT_TRUE(FailsWith(MakeVerifier(strict), Token(payload), AuthErrorCode::kTokenExpired));
}

TEST_F(Verify, NotBeforeInTheFutureIsRefused) {
  auto payload = ValidPayload();
  payload["nbf"] = EpochSeconds(seconds(120));
  EXPECT_TRUE(FailsWith(MakeVerifier(), Token(payload), AuthErrorCode::kTokenNotYetValid));

  payload["nbf"] = EpochSeconds(seconds(10));  // within the leeway
  EXPECT_NO_THROW(MakeVerifier().Verify(Token(payload)));
  payload["nbf"] = EpochSeconds(seconds(-10));
  EXPECT_NO_THROW(MakeVerifier().Verify(Token(payload)));
}

TEST_F(Verify, WrongOrMissingIssuer) {
  const auto verifier = MakeVerifier();
  auto payload = ValidPayload();
  payload["iss"] = "http://127.0.0.1:8080/realms/other";
  EXPECT_TRUE(FailsWith(verifier, Token(payload), AuthErrorCode::kWrongIssuer));
  payload["iss"] = std::string(kIssuer) + "/";
  EXPECT_TRUE(FailsWith(verifier, Token(payload), AuthErrorCode::kWrongIssuer));
  payload.erase("iss");
  EXPECT_TRUE(FailsWith(verifier, Token(payload), AuthErrorCode::kWrongIssuer));
}

TEST_F(Verify, WrongAudienceAsStringAndArray) {
  const auto verifier = MakeVerifier();
  auto payload = ValidPayload();
  payload["aud"] = "account";
  EXPECT_TRUE(FailsWith(verifier, Token(payload), AuthErrorCode::kWrongAudience));
  payload["aud"] = json::array({"account", "mes-api"});
  EXPECT_TRUE(FailsWith(verifier, Token(payload), AuthErrorCode::kWrongAudience));
  payload["aud"] = json::array();
  EXPECT_TRUE(FailsWith(verifier, Token(payload), AuthErrorCode::kWrongAudience));
  payload.erase("aud");
  EXPECT_TRUE(FailsWith(verifier, Token(payload), AuthErrorCode::kWrongAudience));
}

TEST_F(Verify, AuthorizedPartyIsNotTheAudience) {
  auto payload = ValidPayload();
  payload["aud"] = "account";
  payload["azp"] = kAudience;
  EXPECT_TRUE(FailsWith(MakeVerifier(), Token(payload), AuthErrorCode::kWrongAudience));
}

TEST_F(Verify, IdTokensAreRefused) {
  auto payload = ValidPayload();
  payload["typ"] = "ID";
  EXPECT_TRUE(FailsWith(MakeVerifier(), Token(payload), AuthErrorCode::kWrongAudience));
}

TEST_F(Verify, TamperedPayloadIsABadSignature) {
  const auto token = Token(ValidPayload());
  auto payload = ValidPayload();
  payload["realm_access"]["roles"].push_back("shop-admin");
  const auto first_dot = token.find('.');
  const auto second_dot = token.find('.', first_dot + 1);
  const auto tampered =
      token.substr(0, first_dot + 1) + base64url::Encode(payload.dump()) + token.substr(second_dot);
  EXPECT_TRUE(FailsWith(MakeVerifier(), tampered, AuthErrorCode::kBadSignature, kKid));
}

TEST_F(Verify, SignatureOfAnotherKeyIsABadSignature) {
  const auto token = SignedToken(KeyB(), kKid, ValidPayload());
  EXPECT_TRUE(FailsWith(MakeVerifier(), token, AuthErrorCode::kBadSignature, kKid));
}

TEST_F(Verify, SignatureOfTheWrongLengthIsABadSignature) {
  const auto token = Token(ValidPayload());
  const auto last_dot = token.rfind('.');
  auto signature = base64url::Decode(token.substr(last_dot + 1)).value();
  signature.pop_back();
  const auto shortened = token.substr(0, last_dot + 1) + base64url::Encode(signature);
  EXPECT_TRUE(FailsWith(MakeVerifier(), shortened, AuthErrorCode::kBadSignature));
  signature += "\x01\x02";
  const auto lengthened = token.substr(0, last_dot + 1) + base64url::Encode(signature);
  EXPECT_TRUE(FailsWith(MakeVerifier(), lengthened, AuthErrorCode::kBadSignature));
}

TEST_F(Verify, AlgNoneIsRefused) {
  const auto payload = ValidPayload().dump();
  const auto verifier = MakeVerifier();
  EXPECT_TRUE(FailsWith(verifier, Assemble(R"({"alg":"none","typ":"JWT"})", payload, ""),
                        AuthErrorCode::kBadSignature));
  EXPECT_TRUE(FailsWith(verifier, Assemble(R"({"alg":"none","kid":"kid-alpha-2024"})", payload, ""),
                        AuthErrorCode::kBadSignature));
  // A real signature does not make "none" acceptable either.
  const auto signed_input = base64url::Encode(R"({"alg":"none","kid":"kid-alpha-2024"})") + "." +
                            base64url::Encode(payload);
  EXPECT_TRUE(FailsWith(verifier,
                        signed_input + "." + base64url::Encode(KeyA().SignRs256(signed_input)),
                        AuthErrorCode::kBadSignature));
  // Nor an RS256 header with no signature.
  EXPECT_TRUE(FailsWith(verifier,
                        Assemble(R"({"alg":"RS256","kid":"kid-alpha-2024"})", payload, ""),
                        AuthErrorCode::kBadSignature));
}

TEST_F(Verify, Hs256WithThePublicKeyAsSecretIsRefused) {
  const auto verifier = MakeVerifier();
  const auto header = base64url::Encode(R"({"alg":"HS256","typ":"JWT","kid":"kid-alpha-2024"})");
  const auto input = header + "." + base64url::Encode(ValidPayload().dump());
  for (const std::string& secret : {KeyA().Jwk(kKid).dump(), JwksOf({{&KeyA(), kKid}}),
                                    KeyA().Jwk(kKid)["n"].get<std::string>()}) {
    EXPECT_TRUE(FailsWith(verifier, input + "." + base64url::Encode(HmacSha256(secret, input)),
                          AuthErrorCode::kBadSignature));
  }
}

TEST_F(Verify, OtherAlgorithmsAreRefused) {
  const auto verifier = MakeVerifier();
  for (const char* alg : {"RS384", "RS512", "PS256", "ES256", "rs256", "RS256 ", ""}) {
    const auto token = SignedTokenWithHeader(KeyA(), {{"alg", alg}, {"kid", kKid}}, ValidPayload());
    EXPECT_TRUE(FailsWith(verifier, token, AuthErrorCode::kBadSignature)) << alg;
  }
}

TEST_F(Verify, MalformedTokens) {
  const auto verifier = MakeVerifier();
  const auto valid = Token(ValidPayload());
  const auto first_dot = valid.find('.');
  const auto second_dot = valid.find('.', first_dot + 1);
  const auto header = valid.substr(0, first_dot);
  const auto payload = valid.substr(first_dot + 1, second_dot - first_dot - 1);
  const auto signature = valid.substr(second_dot + 1);
  const auto signed_with_payload = [&](const std::string& payload_text) {
    const auto input = header + "." + base64url::Encode(payload_text);
    return input + "." + base64url::Encode(KeyA().SignRs256(input));
  };
  const auto signed_with_header = [&](const std::string& header_text) {
    const auto input = base64url::Encode(header_text) + "." + payload;
    return input + "." + base64url::Encode(KeyA().SignRs256(input));
  };
  auto exp_as_string = ValidPayload();
  exp_as_string["exp"] = std::to_string(EpochSeconds(seconds(300)));
  auto no_exp = ValidPayload();
  no_exp.erase("exp");
  auto roles_not_array = ValidPayload();
  roles_not_array["realm_access"]["roles"] = "shop-clerk";
  auto aud_of_numbers = ValidPayload();
  aud_of_numbers["aud"] = json::array({1, 2});
  auto negative_exp = ValidPayload();
  negative_exp["exp"] = -5;
  auto huge_exp = ValidPayload();
  huge_exp["exp"] = 1e300;
  auto boolean_exp = ValidPayload();
  boolean_exp["exp"] = true;

  const std::vector<std::pair<std::string, std::string>> cases = {
      {"two segments", header + "." + payload},
      {"four segments", valid + "." + signature},
      {"one segment", header},
      {"empty header", "." + payload + "." + signature},
      {"empty payload", header + ".." + signature},
      {"only dots", ".."},
      {"padding", header + "." + payload + "=." + signature},
      {"standard base64 alphabet", header + "." + payload + "." + signature + "+/"},
      {"space inside", header + "." + payload + " ." + signature},
      {"non-canonical trailing bits",
       header + "." + payload + "." + signature.substr(0, 341) + "B"},
      {"length 1 mod 4", header + "." + payload +
                             std::string(1 + (4 - payload.size() % 4) % 4, 'A') + "." + signature},
      {"NUL after the payload",
       signed_with_payload(ValidPayload().dump() + std::string("\0{}", 3))},
      {"NUL after the header",
       signed_with_header(std::string(R"({"alg":"RS256","kid":"kid-alpha-2024"})") + '\0')},
      {"non-JSON header", base64url::Encode("not json") + "." + payload + "." + signature},
      {"header is an array", signed_with_header(R"(["RS256"])")},
      {"header without alg", signed_with_header(R"({"kid":"kid-alpha-2024"})")},
      {"alg not a string", signed_with_header(R"({"alg":256,"kid":"kid-alpha-2024"})")},
      {"header without kid", signed_with_header(R"({"alg":"RS256"})")},
      {"empty kid", signed_with_header(R"({"alg":"RS256","kid":""})")},
      {"crit", signed_with_header(R"({"alg":"RS256","kid":"kid-alpha-2024","crit":["b64"]})")},
      {"payload is an array", signed_with_payload("[1,2,3]")},
      {"payload is a string", signed_with_payload(R"("claims")")},
      {"payload not JSON", signed_with_payload("{\"exp\":")},
      {"payload invalid UTF-8", signed_with_payload("{\"sub\":\"\xff\xfe\"}")},
      {"exp as a string", signed_with_payload(exp_as_string.dump())},
      {"exp missing", signed_with_payload(no_exp.dump())},
      {"exp negative", signed_with_payload(negative_exp.dump())},
      {"exp huge", signed_with_payload(huge_exp.dump())},
      {"exp boolean", signed_with_payload(boolean_exp.dump())},
      {"roles not an array", signed_with_payload(roles_not_array.dump())},
      {"aud of numbers", signed_with_payload(aud_of_numbers.dump())},
  };
  for (const auto& [name, token] : cases) {
    EXPECT_TRUE(FailsWith(verifier, token, AuthErrorCode::kTokenMalformed, kKid)) << name;
  }
}

TEST_F(Verify, TokensOver8KiBAreRefusedBeforeParsing) {
  const auto verifier = MakeVerifier();
  const auto token_with_padding = [](std::size_t padding) {
    auto payload = ValidPayload();
    payload["padding"] = std::string(padding, 'x');
    return Token(payload);
  };
  std::size_t padding = 5000;
  while (token_with_padding(padding + 1).size() <= 8192) ++padding;
  const auto largest = token_with_padding(padding);
  const auto too_large = token_with_padding(padding + 1);
  ASSERT_LE(largest.size(), 8192u);
  ASSERT_GT(too_large.size(), 8192u);
  EXPECT_NO_THROW(verifier.Verify(largest));
  EXPECT_TRUE(FailsWith(verifier, too_large, AuthErrorCode::kTokenMalformed));
  EXPECT_TRUE(FailsWith(verifier, std::string(100000, '.'), AuthErrorCode::kTokenMalformed));
}

TEST_F(Verify, EmptyTokenIsMissing) {
  EXPECT_TRUE(FailsWith(MakeVerifier(), "", AuthErrorCode::kTokenMissing));
}

TEST_F(Verify, ErrorCodesHaveNamesAndStatuses) {
  EXPECT_EQ(CodeName(AuthErrorCode::kTokenNotYetValid), "token_not_yet_valid");
  EXPECT_EQ(CodeName(AuthErrorCode::kJwksUnavailable), "jwks_unavailable");
  EXPECT_EQ(AuthError(AuthErrorCode::kTokenExpired, "x").http_status(), 401);
  EXPECT_EQ(AuthError(AuthErrorCode::kJwksUnavailable, "x").http_status(), 503);
}

TEST_F(Verify, OptionsAreChecked) {
  auto options = TestOptions();
  options.issuer.clear();
  EXPECT_THROW(MakeVerifier(options), std::invalid_argument);
  options = TestOptions();
  options.audience.clear();
  EXPECT_THROW(MakeVerifier(options), std::invalid_argument);
  options = TestOptions();
  options.leeway = seconds(-1);
  EXPECT_THROW(MakeVerifier(options), std::invalid_argument);
  EXPECT_EQ(JwtVerifier(TestOptions()).options().jwks_url,
            std::string(kIssuer) + "/protocol/openid-connect/certs");
}

}  // namespace
}  // namespace fabtrace::auth
