// otel_smoke: sends one small, fully specified trace through the real pipeline.
//
//   otel_smoke --protocol http|grpc --endpoint URL [--run-id ID]
//
// The trace has a SERVER parent and a CLIENT child; the child carries typed attributes,
// an event and an ERROR status. The program prints one JSON line with the ids it used,
// so the test can fetch the trace from Jaeger and compare every field.
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "opentelemetry/exporters/otlp/otlp_grpc_exporter_factory.h"
#include "opentelemetry/exporters/otlp/otlp_grpc_exporter_options.h"
#include "opentelemetry/exporters/otlp/otlp_http_exporter_factory.h"
#include "opentelemetry/exporters/otlp/otlp_http_exporter_options.h"
#include "opentelemetry/sdk/resource/resource.h"
#include "opentelemetry/sdk/trace/simple_processor_factory.h"
#include "opentelemetry/sdk/trace/tracer_provider.h"
#include "opentelemetry/sdk/trace/tracer_provider_factory.h"
#include "opentelemetry/trace/provider.h"
#include "opentelemetry/trace/scope.h"

namespace otlp = opentelemetry::exporter::otlp;
namespace sdktrace = opentelemetry::sdk::trace;
namespace trace = opentelemetry::trace;

namespace {

struct Options {
  std::string protocol = "http";
  std::string endpoint;
  std::string run_id = "manual";
};

[[noreturn]] void Usage(std::string_view problem) {
  std::cerr << "otel_smoke: " << problem
            << "\nusage: otel_smoke --protocol http|grpc --endpoint URL [--run-id ID]\n";
  std::exit(2);
}

Options ParseArgs(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (i + 1 >= argc) Usage("missing value for " + std::string(arg));
    const std::string value = argv[++i];
    if (arg == "--protocol") {
      options.protocol = value;
    } else if (arg == "--endpoint") {
      options.endpoint = value;
    } else if (arg == "--run-id") {
      options.run_id = value;
    } else {
      Usage("unknown argument " + std::string(arg));
    }
  }
  if (options.protocol != "http" && options.protocol != "grpc")
    Usage("protocol must be http or grpc");
  if (options.endpoint.empty()) Usage("--endpoint is required");
  return options;
}

std::unique_ptr<sdktrace::SpanExporter> MakeExporter(const Options& options) {
  if (options.protocol == "grpc") {
    otlp::OtlpGrpcExporterOptions grpc;
    grpc.endpoint = options.endpoint;
    grpc.use_ssl_credentials = false;
    grpc.timeout = std::chrono::seconds(5);
    return otlp::OtlpGrpcExporterFactory::Create(grpc);
  }
  otlp::OtlpHttpExporterOptions http;
  http.url = options.endpoint;
  http.timeout = std::chrono::seconds(5);
  return otlp::OtlpHttpExporterFactory::Create(http);
}

std::string Hex(const trace::TraceId& id) {
  char buffer[32];
  id.ToLowerBase16(buffer);
  return {buffer, sizeof buffer};
}

std::string Hex(const trace::SpanId& id) {
  char buffer[16];
  id.ToLowerBase16(buffer);
  return {buffer, sizeof buffer};
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = ParseArgs(argc, argv);

  auto resource = opentelemetry::sdk::resource::Resource::Create({
      {"service.name", "fabtrace-smoke"},
      {"service.version", "1.0.0"},
      {"deployment.environment.name", "test"},
  });
  // A simple (synchronous) processor: the span is exported when it ends, so the
  // program knows whether the Collector accepted it before it exits.
  std::shared_ptr<sdktrace::TracerProvider> provider = sdktrace::TracerProviderFactory::Create(
      sdktrace::SimpleSpanProcessorFactory::Create(MakeExporter(options)), resource);
  auto tracer = provider->GetTracer("fabtrace.smoke", "1.0.0");

  trace::StartSpanOptions server_kind;
  server_kind.kind = trace::SpanKind::kServer;
  auto parent = tracer->StartSpan("GET /smoke/{run}",
                                  {{"http.request.method", "GET"},
                                   {"http.route", "/smoke/{run}"},
                                   {"smoke.protocol", options.protocol},
                                   {"smoke.run_id", options.run_id}},
                                  server_kind);
  std::string child_id;
  {
    trace::Scope scope(parent);
    trace::StartSpanOptions client_kind;
    client_kind.kind = trace::SpanKind::kClient;
    auto child = tracer->StartSpan("smoke dependency call",
                                   {{"smoke.count", static_cast<int64_t>(42)},
                                    {"smoke.ratio", 0.25},
                                    {"smoke.flag", true},
                                    {"error.type", "smoke_failure"}},
                                   client_kind);
    child->AddEvent("smoke.event", {{"smoke.detail", "something happened"}});
    child->SetStatus(trace::StatusCode::kError, "smoke child failed on purpose");
    child_id = Hex(child->GetContext().span_id());
    child->End();
  }
  parent->SetAttribute("http.response.status_code", static_cast<int64_t>(500));
  parent->SetStatus(trace::StatusCode::kError);
  const auto context = parent->GetContext();
  parent->End();

  const bool flushed = provider->ForceFlush(std::chrono::seconds(10));
  provider->Shutdown();

  std::cout << R"({"trace_id":")" << Hex(context.trace_id()) << R"(","parent_span_id":")"
            << Hex(context.span_id()) << R"(","child_span_id":")" << child_id << R"(","flushed":)"
            << (flushed ? "true" : "false") << "}\n";
  return flushed ? 0 : 1;
}
