#include "otlp_http_sync_exporter.h"

#include <atomic>

#include "opentelemetry/exporters/otlp/otlp_environment.h"
#include "opentelemetry/exporters/otlp/otlp_http_client.h"
#include "opentelemetry/exporters/otlp/otlp_recordable.h"
#include "opentelemetry/exporters/otlp/otlp_recordable_utils.h"

// clang-format off
#include "opentelemetry/exporters/otlp/protobuf_include_prefix.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "opentelemetry/exporters/otlp/protobuf_include_suffix.h"
// clang-format on

namespace otlp = opentelemetry::exporter::otlp;
namespace sdk = opentelemetry::sdk;
namespace sdktrace = opentelemetry::sdk::trace;

namespace fabtrace::telemetry {
namespace {

class SyncOtlpHttpExporter final : public sdktrace::SpanExporter {
 public:
  SyncOtlpHttpExporter(const Settings& settings, otlp::HttpRequestContentType content_type)
      : client_(otlp::OtlpHttpClientOptions(
            settings.endpoint, false, settings.tls.ca_file, "", settings.tls.client_key_file, "",
            settings.tls.client_certificate_file, "", "", "", "", "", content_type,
            otlp::JsonBytesMappingKind::kHexId, "none", false, false, settings.export_timeout,
            otlp::OtlpHeaders(settings.headers.begin(), settings.headers.end()),
            // Retries (429/502/503/504 only, with backoff) stay within the batch's budget.
            2, std::chrono::duration<float>(0.2f), std::chrono::duration<float>(1.0f), 2.0f,
            nullptr)) {}

  std::unique_ptr<sdktrace::Recordable> MakeRecordable() noexcept override {
    return std::make_unique<otlp::OtlpRecordable>();
  }

  sdk::common::ExportResult Export(
      const opentelemetry::nostd::span<std::unique_ptr<sdktrace::Recordable>>& spans) noexcept
      override {
    if (shutdown_) return sdk::common::ExportResult::kFailure;
    if (spans.empty()) return sdk::common::ExportResult::kSuccess;
    opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest request;
    otlp::OtlpRecordableUtils::PopulateRequest(spans, &request);
    return client_.Export(request);
  }

  bool ForceFlush(std::chrono::microseconds timeout) noexcept override {
    return client_.ForceFlush(timeout);
  }

  bool Shutdown(std::chrono::microseconds timeout) noexcept override {
    shutdown_ = true;
    return client_.Shutdown(timeout);
  }

 private:
  otlp::OtlpHttpClient client_;
  std::atomic<bool> shutdown_{false};
};

}  // namespace

std::unique_ptr<sdktrace::SpanExporter> MakeSyncOtlpHttpExporter(
    const Settings& settings, otlp::HttpRequestContentType content_type) {
  return std::make_unique<SyncOtlpHttpExporter>(settings, content_type);
}

}  // namespace fabtrace::telemetry
