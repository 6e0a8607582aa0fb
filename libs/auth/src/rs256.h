// RS256 (RSASSA-PKCS1-v1_5 with SHA-256) signature checking with the OpenSSL 3 EVP API.
#pragma once

#include <openssl/evp.h>

#include <string_view>

namespace fabtrace::auth::detail {

// Whether `signature` is the RS256 signature of `signing_input` by the RSA `key`.
bool VerifyRs256(EVP_PKEY* key, std::string_view signing_input, std::string_view signature);

}  // namespace fabtrace::auth::detail
