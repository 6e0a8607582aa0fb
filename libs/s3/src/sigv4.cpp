#include "sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <cctype>
#include <ctime>

namespace fabtrace::s3::sigv4 {

std::string Hex(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xf]);
  }
  return out;
}

std::string Sha256Hex(const std::string& data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return Hex(std::string(reinterpret_cast<char*>(digest), sizeof digest));
}

std::string HmacSha256(const std::string& key, const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, &length);
  return std::string(reinterpret_cast<char*>(digest), length);
}

std::string UriEncode(const std::string& text, bool keep_slash) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' ||
        (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kDigits[c >> 4]);
      out.push_back(kDigits[c & 0xf]);
    }
  }
  return out;
}

std::string PresignGet(const PresignInput& input) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(input.now);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char date[9], timestamp[17];
  std::strftime(date, sizeof date, "%Y%m%d", &utc);
  std::strftime(timestamp, sizeof timestamp, "%Y%m%dT%H%M%SZ", &utc);

  const std::string scope = std::string(date) + "/" + input.region + "/s3/aws4_request";
  const std::string query =
      "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" +
      UriEncode(input.access_key + "/" + scope, false) + "&X-Amz-Date=" + timestamp +
      "&X-Amz-Expires=" + std::to_string(input.expires.count()) + "&X-Amz-SignedHeaders=host";
  const std::string canonical_path = UriEncode(input.path, true);
  const std::string canonical_request = "GET\n" + canonical_path + "\n" + query +
                                        "\nhost:" + input.host + "\n\nhost\nUNSIGNED-PAYLOAD";
  const std::string string_to_sign = "AWS4-HMAC-SHA256\n" + std::string(timestamp) + "\n" + scope +
                                     "\n" + Sha256Hex(canonical_request);
  auto key = HmacSha256("AWS4" + input.secret_key, date);
  key = HmacSha256(key, input.region);
  key = HmacSha256(key, "s3");
  key = HmacSha256(key, "aws4_request");
  const auto signature = Hex(HmacSha256(key, string_to_sign));
  return input.scheme_host + canonical_path + "?" + query + "&X-Amz-Signature=" + signature;
}

}  // namespace fabtrace::s3::sigv4
