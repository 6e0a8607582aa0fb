// The pieces of AWS Signature V4 that libcurl does not do for us (presigned URLs).
#pragma once

#include <chrono>
#include <string>

namespace fabtrace::s3::sigv4 {

std::string Sha256Hex(const std::string& data);
std::string HmacSha256(const std::string& key, const std::string& data);  // raw bytes
std::string Hex(const std::string& bytes);
std::string UriEncode(const std::string& text, bool keep_slash);

struct PresignInput {
  std::string scheme_host;  // http://host:port
  std::string host;         // host:port as in the Host header
  std::string path;         // /bucket/key
  std::string region;
  std::string access_key;
  std::string secret_key;
  std::chrono::seconds expires;
  std::chrono::system_clock::time_point now;
};

std::string PresignGet(const PresignInput& input);

}  // namespace fabtrace::s3::sigv4
