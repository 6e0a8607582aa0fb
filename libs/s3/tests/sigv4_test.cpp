#include "sigv4.h"

#include <gtest/gtest.h>

#include "fabtrace/s3/s3_client.h"

namespace fabtrace::s3 {
namespace {

// The presigned-URL example of the AWS Signature V4 documentation.
TEST(SigV4, PresignMatchesTheDocumentedExample) {
  sigv4::PresignInput input{"https://examplebucket.s3.amazonaws.com",
                            "examplebucket.s3.amazonaws.com",
                            "/test.txt",
                            "us-east-1",
                            "AKIAIOSFODNN7EXAMPLE",
                            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                            std::chrono::seconds(86400),
                            std::chrono::system_clock::from_time_t(1369353600)};
  const auto url = sigv4::PresignGet(input);
  EXPECT_EQ(url.substr(0, url.find('?')), "https://examplebucket.s3.amazonaws.com/test.txt");
  EXPECT_NE(
      url.find("X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"),
      std::string::npos);
  EXPECT_NE(
      url.find("X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"),
      std::string::npos)
      << url;
}

TEST(SigV4, HashesAndEncoding) {
  EXPECT_EQ(sigv4::Sha256Hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sigv4::UriEncode("a b/c~", true), "a%20b/c~");
  EXPECT_EQ(sigv4::UriEncode("a/b", false), "a%2Fb");
}

TEST(ObjectKeys, OnlySafeCharacters) {
  EXPECT_TRUE(IsValidObjectKey("models/2026/abc-1.stl"));
  EXPECT_FALSE(IsValidObjectKey(""));
  EXPECT_FALSE(IsValidObjectKey("/leading"));
  EXPECT_FALSE(IsValidObjectKey("a//b"));
  EXPECT_FALSE(IsValidObjectKey("spaces are bad"));
  EXPECT_FALSE(IsValidObjectKey("../etc/passwd?x=1"));
  EXPECT_FALSE(IsValidObjectKey("../escape"));
  EXPECT_FALSE(IsValidObjectKey("a/./b"));
}

}  // namespace
}  // namespace fabtrace::s3
