#include "fabtrace/s3/s3_client.h"

#include <regex>

#include "fabtrace/common/deadline.h"
#include "fabtrace/http/transfer.h"
#include "fabtrace/telemetry/active_span.h"
#include "fabtrace/telemetry/end_on_exit.h"
#include "fabtrace/telemetry/span_errors.h"
#include "fabtrace/telemetry/tracer.h"
#include "opentelemetry/semconv/http_attributes.h"
#include "opentelemetry/semconv/incubating/aws_attributes.h"
#include "opentelemetry/semconv/incubating/rpc_attributes.h"
#include "opentelemetry/semconv/server_attributes.h"
#include "sigv4.h"

namespace trace = opentelemetry::trace;

namespace fabtrace::s3 {

namespace semconv = opentelemetry::semconv;
namespace {

// The <Code> of an S3 XML error body.
std::string ErrorCode(const std::string& body) {
  const auto open = body.find("<Code>");
  const auto close = body.find("</Code>");
  if (open == std::string::npos || close == std::string::npos || close < open) return {};
  return body.substr(open + 6, close - open - 6);
}

std::string ErrorMessage(const std::string& body) {
  const auto open = body.find("<Message>");
  const auto close = body.find("</Message>");
  if (open == std::string::npos || close == std::string::npos || close < open) return {};
  return body.substr(open + 9, close - open - 9);
}

// Codes for answers without a body (HEAD) or without an XML error.
std::string CodeForStatus(int status) {
  switch (status) {
    case 403:
      return "AccessDenied";
    case 404:
      return "NotFound";
    case 503:
      return "ServiceUnavailable";
    default:
      return std::to_string(status);
  }
}

}  // namespace

bool IsValidObjectKey(const std::string& key) {
  static const std::regex kAllowed("[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*");
  // "." and ".." segments would be folded away by URL normalisation.
  return key.size() <= 512 && std::regex_match(key, kAllowed) &&
         ("/" + key + "/").find("/./") == std::string::npos &&
         ("/" + key + "/").find("/../") == std::string::npos;
}

// One traced S3 request.
struct S3Client::Call {
  const S3Client& client;
  std::string operation, method, bucket, key;

  http::TransferResult Run(const std::string& body = "", const std::string& content_type = "",
                           bool missing_is_ok = false) const {
    trace::StartSpanOptions span_options;
    span_options.kind = trace::SpanKind::kClient;
    auto span = telemetry::GetTracer("s3")->StartSpan("S3." + operation, span_options);
    telemetry::ActiveSpan active(span);
    span->SetAttribute(semconv::rpc::kRpcSystem, "aws-api");
    span->SetAttribute(semconv::rpc::kRpcService, "S3");
    span->SetAttribute(semconv::rpc::kRpcMethod, operation);
    span->SetAttribute("aws.s3.bucket", bucket);
    if (!key.empty()) span->SetAttribute("aws.s3.key", key);
    span->SetAttribute(semconv::http::kHttpRequestMethod, method);
    span->SetAttribute(semconv::server::kServerAddress,
                       client.host_.substr(0, client.host_.find(':')));
    if (client.host_.find(':') != std::string::npos) {
      span->SetAttribute(
          semconv::server::kServerPort,
          static_cast<int64_t>(std::stoi(client.host_.substr(client.host_.find(':') + 1))));
    }
    const telemetry::EndOnExit end_span(span);

    if (!key.empty() && !IsValidObjectKey(key)) {
      telemetry::MarkError(*span, "InvalidObjectKey",
                           "object key has characters outside [A-Za-z0-9._-/]");
      throw S3Error("InvalidObjectKey", 0, "invalid object key: " + key);
    }
    http::TransferRequest request;
    request.method = method;
    request.url = client.options_.endpoint + "/" + bucket + (key.empty() ? "" : "/" + key);
    request.body = body;
    // libcurl 7.88 signs a request body correctly only when told its hash.
    request.headers.emplace("x-amz-content-sha256", sigv4::Sha256Hex(body));
    if (!content_type.empty()) request.headers.emplace("Content-Type", content_type);
    request.aws_sigv4 = "aws:amz:" + client.options_.region + ":s3";
    request.credentials = client.options_.access_key + ":" + client.options_.secret_key;
    request.connect_timeout = client.options_.connect_timeout;
    request.timeout = Deadline::Cap(client.options_.request_timeout);

    auto result = http::Perform(request);
    if (result.status == 0) {
      telemetry::MarkError(*span, result.error_type,
                           "S3 " + operation + ": " + result.error_message);
      throw S3Error(result.error_type, 0,
                    "S3 " + operation + " " + bucket + "/" + key + ": " + result.error_message);
    }
    span->SetAttribute(semconv::http::kHttpResponseStatusCode, static_cast<int64_t>(result.status));
    if (auto request_id = result.header("x-amz-request-id"); !request_id.empty()) {
      span->SetAttribute(semconv::aws::kAwsRequestId, request_id);
    }
    if (result.status >= 300 && !(missing_is_ok && result.status == 404)) {
      auto code = ErrorCode(result.body);
      if (code.empty()) code = CodeForStatus(result.status);
      auto message = ErrorMessage(result.body);
      telemetry::MarkError(*span, code, message.empty() ? code : message);
      throw S3Error(code, result.status,
                    "S3 " + operation + " " + bucket + "/" + key + ": " + code +
                        (message.empty() ? "" : " (" + message + ")"));
    }
    return result;
  }
};

S3Client::S3Client(S3Options options) : options_(std::move(options)) {
  const auto scheme_end = options_.endpoint.find("://");
  host_ = scheme_end == std::string::npos ? options_.endpoint
                                          : options_.endpoint.substr(scheme_end + 3);
  while (!host_.empty() && host_.back() == '/') host_.pop_back();
  while (!options_.endpoint.empty() && options_.endpoint.back() == '/')
    options_.endpoint.pop_back();
}

void S3Client::Put(const std::string& bucket, const std::string& key, const std::string& body,
                   const std::string& content_type) const {
  Call{*this, "PutObject", "PUT", bucket, key}.Run(body, content_type);
}

Object S3Client::Get(const std::string& bucket, const std::string& key) const {
  auto result = Call{*this, "GetObject", "GET", bucket, key}.Run();
  Object object;
  object.info.size = result.body.size();
  object.info.content_type = result.header("Content-Type");
  object.info.etag = result.header("ETag");
  object.body = std::move(result.body);
  return object;
}

std::optional<ObjectInfo> S3Client::Head(const std::string& bucket, const std::string& key) const {
  auto result = Call{*this, "HeadObject", "HEAD", bucket, key}.Run("", "", /*missing_is_ok=*/true);
  if (result.status == 404) return std::nullopt;
  ObjectInfo info;
  const auto length = result.header("Content-Length");
  info.size = length.empty() ? 0 : std::stoul(length);
  info.content_type = result.header("Content-Type");
  info.etag = result.header("ETag");
  return info;
}

void S3Client::Delete(const std::string& bucket, const std::string& key) const {
  Call{*this, "DeleteObject", "DELETE", bucket, key}.Run();
}

std::string S3Client::PresignGet(const std::string& bucket, const std::string& key,
                                 std::chrono::seconds expires) const {
  if (!IsValidObjectKey(key)) throw S3Error("InvalidObjectKey", 0, "invalid object key: " + key);
  return sigv4::PresignGet({options_.endpoint, host_, "/" + bucket + "/" + key, options_.region,
                            options_.access_key, options_.secret_key, expires,
                            std::chrono::system_clock::now()});
}

}  // namespace fabtrace::s3
