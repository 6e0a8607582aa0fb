#include <gtest/gtest.h>

#include <iostream>
#include <map>
#include <random>

#include "auth_assertions.h"
#include "fabtrace/auth/jwt_verifier.h"
#include "test_keys.h"

namespace fabtrace::auth {
namespace {

using namespace testing;  // NOLINT: the test helpers

// Changes `token` in one random way.
std::string Mutate(const std::string& token, std::mt19937& random) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ \t\"{}\x00\xff";
  static constexpr std::string_view kCharacters(kAlphabet, sizeof kAlphabet - 1);
  const auto pick = [&](std::size_t bound) {
    return std::uniform_int_distribution<std::size_t>(0, bound - 1)(random);
  };
  const auto any_character = [&] { return kCharacters[pick(kCharacters.size())]; };
  std::string mutated = token;
  switch (pick(8)) {
    case 0:  // replace one character
      mutated[pick(mutated.size())] = any_character();
      break;
    case 1:  // flip one bit
      mutated[pick(mutated.size())] ^= static_cast<char>(1 << pick(8));
      break;
    case 2:  // delete a run
      mutated.erase(pick(mutated.size()), 1 + pick(8));
      break;
    case 3:  // insert characters
      mutated.insert(pick(mutated.size() + 1), 1 + pick(4), any_character());
      break;
    case 4:  // truncate
      mutated.resize(pick(mutated.size()));
      break;
    case 5: {  // swap two characters
      std::swap(mutated[pick(mutated.size())], mutated[pick(mutated.size())]);
      break;
    }
    case 6: {  // duplicate a slice somewhere
      const auto from = pick(mutated.size());
      const auto slice = mutated.substr(from, 1 + pick(40));
      mutated.insert(pick(mutated.size() + 1), slice);
      break;
    }
    default:  // several replacements at once
      for (int i = 0; i < 5; ++i) mutated[pick(mutated.size())] = any_character();
      break;
  }
  return mutated;
}

TEST(TokenMutations, FiveThousandMutationsNeverCrashNorVerify) {
  const JwtVerifier verifier(TestOptions(), [] { return JwksOf({{&KeyA(), "kid-alpha-2024"}}); });
  const auto token = SignedToken(KeyA(), "kid-alpha-2024", ValidPayload());
  ASSERT_NO_THROW(verifier.Verify(token));

  std::mt19937 random(20240611);
  int tried = 0;
  int unchanged = 0;
  std::map<AuthErrorCode, int> codes;
  while (tried < 5000) {
    const auto mutated = Mutate(token, random);
    if (mutated == token) {
      ++unchanged;
      continue;
    }
    ++tried;
    try {
      verifier.Verify(mutated);
      ADD_FAILURE() << "mutation " << tried << " verified";
    } catch (const AuthError& error) {
      ++codes[error.code()];
      EXPECT_FALSE(QuotesToken(error.what(), mutated)) << error.what();
      EXPECT_NE(error.code(), AuthErrorCode::kJwksUnavailable);
    } catch (const std::exception& error) {
      ADD_FAILURE() << "mutation " << tried << " threw a non-AuthError: " << error.what();
    }
  }
  EXPECT_LT(unchanged, 500);
  // The mutations reach the signature check, not only the parsing.
  EXPECT_GT(codes[AuthErrorCode::kTokenMalformed], 100);
  EXPECT_GT(codes[AuthErrorCode::kBadSignature], 100);
  for (const auto& [code, count] : codes) std::cout << CodeName(code) << ": " << count << "\n";
}

}  // namespace
}  // namespace fabtrace::auth
