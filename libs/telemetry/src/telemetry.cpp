#include "fabtrace/telemetry/telemetry.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <utility>
#include <vector>

#include "direct_tracer.h"
#include "fabtrace/telemetry/export_pipeline.h"
#include "fabtrace/telemetry/logging.h"
#include "fabtrace/telemetry/version.h"
#include "opentelemetry/baggage/propagation/baggage_propagator.h"
#include "opentelemetry/context/propagation/composite_propagator.h"
#include "opentelemetry/context/propagation/global_propagator.h"
#include "opentelemetry/context/propagation/noop_propagator.h"
#include "opentelemetry/exporters/otlp/otlp_grpc_exporter_factory.h"
#include "opentelemetry/exporters/otlp/otlp_grpc_exporter_options.h"
#include "opentelemetry/exporters/otlp/otlp_http_exporter_factory.h"
#include "opentelemetry/sdk/resource/resource.h"
#include "opentelemetry/sdk/trace/multi_span_processor.h"
#include "opentelemetry/sdk/trace/samplers/always_off_factory.h"
#include "opentelemetry/sdk/trace/samplers/always_on_factory.h"
#include "opentelemetry/sdk/trace/samplers/parent_factory.h"
#include "opentelemetry/sdk/trace/samplers/trace_id_ratio_factory.h"
#include "opentelemetry/sdk/trace/tracer_provider.h"
#include "opentelemetry/sdk/trace/tracer_provider_factory.h"
#include "opentelemetry/semconv/incubating/telemetry_attributes.h"
#include "opentelemetry/semconv/service_attributes.h"
#include "opentelemetry/trace/noop.h"
#include "opentelemetry/trace/propagation/http_trace_context.h"
#include "opentelemetry/trace/provider.h"
#include "otlp_http_compact_exporter.h"
#include "otlp_http_sync_exporter.h"
#include "sdk_logging.h"

namespace otlp = opentelemetry::exporter::otlp;
namespace sdktrace = opentelemetry::sdk::trace;
namespace propagation = opentelemetry::context::propagation;

namespace fabtrace::telemetry {

namespace semconv = opentelemetry::semconv;

struct Telemetry::Impl {
  // One of the two when tracing is on (FABTRACE_TRACER), neither when disabled.
  std::shared_ptr<detail::DirectTracerProvider> direct;
  std::shared_ptr<sdktrace::TracerProvider> sdk;

  bool on() const { return direct || sdk; }
  bool Flush(std::chrono::microseconds timeout) const {
    if (direct) return direct->ForceFlush(timeout);
    return !sdk || sdk->ForceFlush(timeout);
  }
  void Shutdown(std::chrono::microseconds timeout) const {
    if (direct) direct->Shutdown(timeout);
    if (sdk) sdk->Shutdown(timeout);
  }
};

namespace {

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::unique_ptr<sdktrace::Sampler> MakeSampler(const SamplerSettings& sampler) {
  const auto& name = sampler.name;
  if (name == "always_on") return sdktrace::AlwaysOnSamplerFactory::Create();
  if (name == "always_off") return sdktrace::AlwaysOffSamplerFactory::Create();
  if (name == "traceidratio")
    return sdktrace::TraceIdRatioBasedSamplerFactory::Create(sampler.ratio);
  std::shared_ptr<sdktrace::Sampler> root;
  if (name == "parentbased_always_off") {
    root = sdktrace::AlwaysOffSamplerFactory::Create();
  } else if (name == "parentbased_traceidratio") {
    root = sdktrace::TraceIdRatioBasedSamplerFactory::Create(sampler.ratio);
  } else {
    root = sdktrace::AlwaysOnSamplerFactory::Create();
  }
  return sdktrace::ParentBasedSamplerFactory::Create(root);
}

std::unique_ptr<sdktrace::SpanExporter> MakeOtlpExporter(const Settings& settings,
                                                         std::shared_ptr<ExportStats> stats) {
  if (settings.protocol == ExportProtocol::kGrpc) {
    otlp::OtlpGrpcExporterOptions options;
    options.endpoint = settings.endpoint;
    options.use_ssl_credentials = settings.endpoint.rfind("https://", 0) == 0;
    // Client certificates over gRPC need the library's mTLS preview build; the services
    // export over HTTP, which takes them (MakeSyncOtlpHttpExporter).
    options.ssl_credentials_cacert_path = settings.tls.ca_file;
    // gRPC metadata keys must be lower case (HTTP header names are case-insensitive).
    for (const auto& [key, value] : settings.headers) options.metadata.emplace(Lower(key), value);
    options.timeout = settings.export_timeout;
    return otlp::OtlpGrpcExporterFactory::Create(options);
  }
  if (settings.protocol == ExportProtocol::kHttpJson) {
    return MakeSyncOtlpHttpExporter(settings, otlp::HttpRequestContentType::kJson);
  }
  switch (settings.export_path) {
    case ExportPath::kSync:
      return MakeSyncOtlpHttpExporter(settings, otlp::HttpRequestContentType::kBinary);
    case ExportPath::kStock:
      // The library reads the same OTEL_EXPORTER_OTLP_* variables itself; its options are
      // built inside the library, whose build flags decide their layout.
      return otlp::OtlpHttpExporterFactory::Create();
    case ExportPath::kCompact:
      break;
  }
  return MakeCompactOtlpHttpExporter(settings, std::move(stats));
}

void InstallPropagators(const std::vector<std::string>& names) {
  std::vector<std::unique_ptr<propagation::TextMapPropagator>> propagators;
  for (const auto& name : names) {
    if (name == "tracecontext") {
      propagators.push_back(
          std::make_unique<opentelemetry::trace::propagation::HttpTraceContext>());
    } else if (name == "baggage") {
      propagators.push_back(
          std::make_unique<opentelemetry::baggage::propagation::BaggagePropagator>());
    }
  }
  propagation::GlobalTextMapPropagator::SetGlobalPropagator(
      opentelemetry::nostd::shared_ptr<propagation::TextMapPropagator>(
          new propagation::CompositePropagator(std::move(propagators))));
}

const char* ProtocolName(ExportProtocol protocol) {
  switch (protocol) {
    case ExportProtocol::kGrpc:
      return "grpc";
    case ExportProtocol::kHttpJson:
      return "http/json";
    case ExportProtocol::kHttpProtobuf:
      break;
  }
  return "http/protobuf";
}

}  // namespace

std::unique_ptr<Telemetry> Telemetry::Start(const std::string& default_service_name,
                                            const std::string& default_version) {
  return Start(SettingsFromEnvironment(default_service_name, default_version));
}

std::unique_ptr<Telemetry> Telemetry::Start(Settings settings,
                                            std::unique_ptr<sdktrace::SpanExporter> exporter) {
  RouteSdkLogsToSpdlog();
  for (const auto& warning : settings.warnings) spdlog::warn("telemetry settings: {}", warning);
  InstallPropagators(settings.propagators);

  auto stats = std::make_shared<ExportStats>();
  auto impl = std::make_unique<Impl>();
  if (settings.disabled) {
    spdlog::info("tracing disabled (OTEL_SDK_DISABLED=true)");
    opentelemetry::trace::Provider::SetTracerProvider(
        opentelemetry::nostd::shared_ptr<opentelemetry::trace::TracerProvider>(
            new opentelemetry::trace::NoopTracerProvider()));
    return std::unique_ptr<Telemetry>(new Telemetry(std::move(settings), stats, std::move(impl)));
  }

  std::string destination = exporter ? "test exporter" : settings.endpoint;
  if (!exporter && settings.exporter == ExporterKind::kOtlp)
    exporter = MakeOtlpExporter(settings, stats);
  std::vector<std::unique_ptr<sdktrace::SpanProcessor>> processors;
  if (exporter) {
    processors.push_back(MakeBoundedBatchProcessor(
        MakeCountingExporter(std::move(exporter), stats, destination), settings.batch, stats,
        /*sdk=*/settings.tracer == TracerKind::kSdk));
  }
  opentelemetry::sdk::resource::ResourceAttributes attributes;
  for (const auto& [key, value] : settings.resource) attributes.SetAttribute(key, value);
  attributes.SetAttribute(semconv::telemetry::kTelemetryDistroName, "fabtrace");
  attributes.SetAttribute(semconv::telemetry::kTelemetryDistroVersion, kVersion);
  auto resource = opentelemetry::sdk::resource::Resource::Create(attributes);

  std::shared_ptr<opentelemetry::trace::TracerProvider> provider;
  if (settings.tracer == TracerKind::kSdk) {
    impl->sdk = sdktrace::TracerProviderFactory::Create(std::move(processors), resource,
                                                        MakeSampler(settings.sampler));
    provider = impl->sdk;
  } else {
    // One processor at most: the direct provider takes it, or none when nothing exports.
    auto processor = processors.empty()
                         ? std::make_unique<sdktrace::MultiSpanProcessor>(
                               std::vector<std::unique_ptr<sdktrace::SpanProcessor>>{})
                         : std::move(processors.front());
    impl->direct = std::make_shared<detail::DirectTracerProvider>(std::move(processor), resource,
                                                                  MakeSampler(settings.sampler));
    provider = impl->direct;
  }
  opentelemetry::trace::Provider::SetTracerProvider(
      opentelemetry::nostd::shared_ptr<opentelemetry::trace::TracerProvider>(provider));
  spdlog::info("tracing on: service {} {}, export {} to {}, sampler {} ({}), {} tracer",
               settings.service_name(), settings.resource.at(semconv::service::kServiceVersion),
               ProtocolName(settings.protocol), destination, settings.sampler.name,
               settings.sampler.ratio, settings.tracer == TracerKind::kSdk ? "sdk" : "direct");
  return std::unique_ptr<Telemetry>(new Telemetry(std::move(settings), stats, std::move(impl)));
}

Telemetry::Telemetry(Settings settings, std::shared_ptr<ExportStats> stats,
                     std::unique_ptr<Impl> impl)
    : settings_(std::move(settings)), stats_(std::move(stats)), impl_(std::move(impl)) {}

Telemetry::~Telemetry() {
  if (impl_->on()) {
    impl_->Flush(settings_.export_timeout);
    impl_->Shutdown(settings_.export_timeout);
    const auto stats = stats_->Read();
    spdlog::info("tracing stopped: {} spans exported, {} failed, {} dropped", stats.exported,
                 stats.failed, stats.dropped);
  }
  opentelemetry::trace::Provider::SetTracerProvider(
      opentelemetry::nostd::shared_ptr<opentelemetry::trace::TracerProvider>(
          new opentelemetry::trace::NoopTracerProvider()));
}

bool Telemetry::Flush(std::chrono::milliseconds timeout) { return impl_->Flush(timeout); }

}  // namespace fabtrace::telemetry
