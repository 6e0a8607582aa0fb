#include "base64url.h"

#include <gtest/gtest.h>

#include <random>

namespace fabtrace::auth::base64url {
namespace {

TEST(Base64Url, RoundTripsEveryLength) {
  std::mt19937 random(7);
  for (std::size_t length = 0; length < 64; ++length) {
    std::string bytes(length, '\0');
    for (auto& byte : bytes) byte = static_cast<char>(random() & 0xff);
    const auto text = Encode(bytes);
    EXPECT_EQ(text.find_first_of("=+/"), std::string::npos);
    EXPECT_EQ(Decode(text), bytes) << length;
  }
}

TEST(Base64Url, KnownValues) {
  EXPECT_EQ(Encode(""), "");
  EXPECT_EQ(Encode("f"), "Zg");
  EXPECT_EQ(Encode("fo"), "Zm8");
  EXPECT_EQ(Encode("foo"), "Zm9v");
  EXPECT_EQ(Encode("\xfb\xff\xbf"), "-_-_");
  EXPECT_EQ(Decode("-_-_"), "\xfb\xff\xbf");
  EXPECT_EQ(Decode("Zm8"), "fo");
  EXPECT_EQ(Decode(""), "");
}

TEST(Base64Url, StrictDecodingRefusesEverythingElse) {
  for (const char* text : {"Zg==", "Zm8=", "Zm9v====", "+/+/", "Zm 9v", "Zm9v\n", " Zm9v", "Zm9vY",
                           "Z", "Zm9v.", "Zh", "Zm9", "Zm9v\xc3\xa9"}) {
    EXPECT_FALSE(Decode(text).has_value()) << text;
  }
  EXPECT_FALSE(Decode(std::string_view("Zm\0v", 4)).has_value());
  // Nonzero bits beyond the data: "Zh" would also read as "f".
  EXPECT_EQ(Decode("Zg"), "f");
  EXPECT_FALSE(Decode("Zh").has_value());
  EXPECT_FALSE(Decode("Zm9").has_value());
}

}  // namespace
}  // namespace fabtrace::auth::base64url
