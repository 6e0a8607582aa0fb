#include "rs256.h"

#include <openssl/err.h>
#include <openssl/rsa.h>

#include <memory>

namespace fabtrace::auth::detail {

bool VerifyRs256(EVP_PKEY* key, std::string_view signing_input, std::string_view signature) {
  if (key == nullptr || signature.empty() ||
      signature.size() != static_cast<std::size_t>(EVP_PKEY_get_size(key))) {
    return false;
  }
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                  &EVP_MD_CTX_free);
  EVP_PKEY_CTX* key_context = nullptr;  // owned by `context`
  const bool valid =
      context &&
      EVP_DigestVerifyInit_ex(context.get(), &key_context, "SHA256", nullptr, nullptr, key,
                              nullptr) == 1 &&
      EVP_PKEY_CTX_set_rsa_padding(key_context, RSA_PKCS1_PADDING) == 1 &&
      EVP_DigestVerify(
          context.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
          reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size()) == 1;
  // A refused signature leaves entries in this thread's OpenSSL error queue; they must not
  // surface in whatever uses OpenSSL next on the thread.
  if (!valid) ERR_clear_error();
  return valid;
}

}  // namespace fabtrace::auth::detail
