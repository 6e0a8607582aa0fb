// Fetching the JWKS document over HTTP(S) with libcurl (untraced).
#pragma once

#include <chrono>
#include <string>

namespace fabtrace::auth::detail {

struct JwksFetchOptions {
  std::string url;
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds timeout{5000};  // the whole transfer
  std::string ca_file;                      // trusted CAs (PEM); empty: the system's
};

// The body of a GET of options.url (http or https only, no redirects, at most 1 MiB).
// Throws std::runtime_error on a transport failure, a status other than 200 or a body
// that is too large.
std::string FetchJwks(const JwksFetchOptions& options);

}  // namespace fabtrace::auth::detail
