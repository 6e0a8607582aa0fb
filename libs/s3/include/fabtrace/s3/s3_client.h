// S3 client (path-style, e.g. MinIO) on libcurl with its built-in AWS SigV4 signing.
// Every call is a CLIENT span "S3.<Operation>" with rpc.system=aws-api,
// rpc.service=S3, rpc.method, aws.s3.bucket, aws.s3.key; an S3 error code
// (NoSuchKey, AccessDenied, ...) or a transport failure (timeout, connection_refused)
// becomes error.type.
#pragma once

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>

#include "fabtrace/common/dependency_error.h"

namespace fabtrace::s3 {

struct S3Options {
  std::string endpoint = "http://127.0.0.1:9000";  // scheme://host:port
  std::string region = "us-east-1";
  std::string access_key;
  std::string secret_key;
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds request_timeout{10000};  // also capped by the request Deadline
};

class S3Error : public DependencyError {
 public:
  S3Error(std::string error_type, int http_status, const std::string& message)
      : DependencyError("storage", KindOf(error_type, http_status), error_type, message),
        http_status_(http_status) {}
  int http_status() const { return http_status_; }  // 0 when no answer came

 private:
  static Kind KindOf(const std::string& error_type, int http_status) {
    if (error_type == "timeout") return Kind::kTimeout;
    if (http_status != 0 || error_type == "InvalidObjectKey") return Kind::kRefused;
    return Kind::kUnavailable;
  }
  int http_status_;
};

struct ObjectInfo {
  std::size_t size = 0;
  std::string content_type;
  std::string etag;
};

struct Object {
  std::string body;
  ObjectInfo info;
};

class S3Client {
 public:
  explicit S3Client(S3Options options);

  void Put(const std::string& bucket, const std::string& key, const std::string& body,
           const std::string& content_type = "application/octet-stream") const;
  Object Get(const std::string& bucket, const std::string& key) const;
  std::optional<ObjectInfo> Head(const std::string& bucket,
                                 const std::string& key) const;  // nullopt: no object
  void Delete(const std::string& bucket, const std::string& key) const;
  // A URL anyone may GET for `expires` (SigV4 query signing; no network call).
  std::string PresignGet(const std::string& bucket, const std::string& key,
                         std::chrono::seconds expires) const;

  const S3Options& options() const { return options_; }

 private:
  struct Call;
  S3Options options_;
  std::string host_;  // host[:port] as sent in the Host header
};

// Object keys are limited to characters that need no escaping in a URL path, without
// "." or ".." segments.
bool IsValidObjectKey(const std::string& key);

}  // namespace fabtrace::s3
