// One HTTP exchange over libcurl, without tracing: the transport under the traced HTTP
// client and the S3 client, which each wrap it in their own span.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "fabtrace/http/message.h"

namespace fabtrace::http {

struct TransferRequest {
  std::string method = "GET";
  std::string url;
  std::string body;
  Headers headers;
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds timeout{10000};
  // AWS Signature V4 by libcurl: provider string ("aws:amz:us-east-1:s3") and
  // "access_key:secret_key".
  std::string aws_sigv4;
  std::string credentials;
  // Basic authentication ("user:password") and the CA bundle that signs the server's
  // certificate (empty: the system's).
  std::string basic_auth;
  std::string ca_file;
};

struct TransferResult {
  int status = 0;  // 0 when no HTTP answer arrived
  std::string body;
  Headers headers;
  std::string error_type;  // "timeout", "connection_refused", ... when status == 0
  std::string error_message;

  std::string header(const std::string& name) const;
  bool ok() const { return status >= 200 && status < 300; }
};

TransferResult Perform(const TransferRequest& request);

// error.type for a libcurl result code ("timeout", "connection_refused", ...).
std::string CurlErrorType(int curl_code);

}  // namespace fabtrace::http
