// Tracing settings read from the standard OTEL_* environment variables.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "opentelemetry/semconv/service_attributes.h"

namespace fabtrace::telemetry {

enum class ExportProtocol { kHttpProtobuf, kHttpJson, kGrpc };
enum class ExporterKind { kOtlp, kNone };
// FABTRACE_SPAN_EXPORT, for OTLP/HTTP with protobuf: which export path (docs/performance.md).
//   compact: ours (default): plain recordables, direct wire encoding, one kept-alive
//            connection, the real outcome of each export.
//   sync:    opentelemetry-cpp's OtlpRecordable and OtlpHttpClient, sent synchronously.
//   stock:   opentelemetry-cpp's OtlpHttpExporter as packaged (its export is asynchronous
//            in Debian's build, so failures are not counted): for comparison only.
enum class ExportPath { kCompact, kSync, kStock };
// FABTRACE_TRACER: which tracer provider records the spans (docs/performance.md).
//   direct: ours (default): the SDK's samplers, ids and processors, without its span
//           machinery; a span writes straight into the exporter's recordable.
//   sdk:    opentelemetry-cpp's TracerProvider and BatchSpanProcessor (the default with
//           FABTRACE_SPAN_EXPORT=stock, so that path is the packaged one end to end).
enum class TracerKind { kDirect, kSdk };

struct SamplerSettings {
  // always_on, always_off, traceidratio, parentbased_always_on,
  // parentbased_always_off, parentbased_traceidratio
  std::string name = "parentbased_always_on";
  double ratio = 1.0;
};

struct BatchSettings {
  std::size_t max_queue_size = 2048;
  std::size_t max_export_batch_size = 512;
  std::chrono::milliseconds schedule_delay{5000};
};

// TLS of the export: PEM file paths (OTEL_EXPORTER_OTLP_[TRACES_]CERTIFICATE,
// _CLIENT_KEY, _CLIENT_CERTIFICATE); empty means the system's defaults, no client key.
struct ExportTls {
  std::string ca_file;
  std::string client_key_file;
  std::string client_certificate_file;
};

struct Settings {
  bool disabled = false;  // OTEL_SDK_DISABLED=true: no spans are recorded or exported
  ExporterKind exporter = ExporterKind::kOtlp;
  ExportProtocol protocol = ExportProtocol::kHttpProtobuf;
  ExportPath export_path = ExportPath::kCompact;
  TracerKind tracer = TracerKind::kDirect;
  std::string endpoint;  // full URL (http) or host:port URL (grpc)
  std::chrono::milliseconds export_timeout{10000};
  // OTEL_EXPORTER_OTLP_[TRACES_]HEADERS: sent with every export, e.g. the Collector's
  // bearer token. Their values are never logged.
  std::map<std::string, std::string> headers;
  ExportTls tls;
  std::map<std::string, std::string> resource;  // includes service.name and service.version
  SamplerSettings sampler;
  BatchSettings batch;
  std::vector<std::string> propagators{"tracecontext", "baggage"};
  // Problems found in the environment; each was replaced by its default.
  std::vector<std::string> warnings;

  const std::string& service_name() const {
    return resource.at(opentelemetry::semconv::service::kServiceName);
  }
};

using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// Reads the process environment.
std::optional<std::string> ProcessEnv(const std::string& name);

// Builds the settings from the environment. default_service_name and
// default_version apply when neither OTEL_SERVICE_NAME nor OTEL_RESOURCE_ATTRIBUTES
// name them. Never throws: invalid values produce a warning and the default.
Settings SettingsFromEnvironment(const std::string& default_service_name,
                                 const std::string& default_version,
                                 const EnvLookup& env = ProcessEnv);

}  // namespace fabtrace::telemetry
