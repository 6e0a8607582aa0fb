#include <gtest/gtest.h>

#include "fabtrace/auth/jwt_verifier.h"

namespace fabtrace::auth {
namespace {

AuthErrorCode CodeOf(std::string_view header) {
  try {
    BearerToken(header);
  } catch (const AuthError& error) {
    EXPECT_EQ(error.http_status(), 401);
    return error.code();
  }
  ADD_FAILURE() << "accepted: " << header;
  return AuthErrorCode::kRoleMissing;
}

TEST(BearerToken, TakesTheTokenOfABearerHeader) {
  EXPECT_EQ(BearerToken("Bearer abc.def.ghi"), "abc.def.ghi");
  EXPECT_EQ(BearerToken("bearer abc.def.ghi"), "abc.def.ghi");
  EXPECT_EQ(BearerToken("BEARER abc.def.ghi"), "abc.def.ghi");
  EXPECT_EQ(BearerToken("  Bearer    abc.def.ghi   "), "abc.def.ghi");
  EXPECT_EQ(BearerToken("Bearer\tabc.def.ghi\t"), "abc.def.ghi");
}

TEST(BearerToken, MissingOrOtherSchemesAreTokenMissing) {
  for (const char* header : {"", "   ", "Basic x", "Basic dXNlcjpwYXNz", "Bearer", "Bearer   ",
                             "Bearerabc.def.ghi", "Token abc.def.ghi", "abc.def.ghi", "Bear abc"}) {
    EXPECT_EQ(CodeOf(header), AuthErrorCode::kTokenMissing) << header;
  }
}

TEST(BearerToken, WhitespaceInsideTheTokenIsMalformed) {
  EXPECT_EQ(CodeOf("Bearer abc def"), AuthErrorCode::kTokenMalformed);
  EXPECT_EQ(CodeOf("Bearer abc\ndef"), AuthErrorCode::kTokenMalformed);
}

TEST(BearerToken, MessagesDoNotQuoteTheHeader) {
  for (const char* header : {"Basic c2VjcmV0LXBhc3N3b3Jk", "Bearer secret-token-part more"}) {
    try {
      BearerToken(header);
      FAIL() << header;
    } catch (const AuthError& error) {
      EXPECT_EQ(std::string(error.what()).find("secret"), std::string::npos) << error.what();
      EXPECT_EQ(std::string(error.what()).find("c2Vj"), std::string::npos) << error.what();
    }
  }
}

}  // namespace
}  // namespace fabtrace::auth
