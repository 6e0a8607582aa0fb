#include "fabtrace/telemetry/settings.h"

#include <gtest/gtest.h>

#include <map>

namespace fabtrace::telemetry {
namespace {

EnvLookup Env(std::map<std::string, std::string> values) {
  return [values = std::move(values)](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

TEST(Settings, DefaultsWithEmptyEnvironment) {
  const auto settings = SettingsFromEnvironment("shop-api", "1.2.3", Env({}));
  EXPECT_FALSE(settings.disabled);
  EXPECT_EQ(settings.service_name(), "shop-api");
  EXPECT_EQ(settings.resource.at("service.version"), "1.2.3");
  EXPECT_EQ(settings.protocol, ExportProtocol::kHttpProtobuf);
  EXPECT_EQ(settings.endpoint, "http://localhost:4318/v1/traces");
  EXPECT_EQ(settings.sampler.name, "parentbased_always_on");
  EXPECT_EQ(settings.batch.max_queue_size, 2048u);
  EXPECT_EQ(settings.batch.max_export_batch_size, 512u);
  EXPECT_EQ(settings.batch.schedule_delay.count(), 5000);
  EXPECT_EQ(settings.propagators, (std::vector<std::string>{"tracecontext", "baggage"}));
  EXPECT_TRUE(settings.warnings.empty());
}

TEST(Settings, ReadsTheStandardVariables) {
  const auto settings = SettingsFromEnvironment(
      "default", "0",
      Env({{"OTEL_SERVICE_NAME", "crm-api"},
           {"OTEL_RESOURCE_ATTRIBUTES",
            "service.version=2.0.1, deployment.environment.name=test,team=a%2Cb"},
           {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4317"},
           {"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"},
           {"OTEL_EXPORTER_OTLP_TIMEOUT", "2500"},
           {"OTEL_TRACES_SAMPLER", "parentbased_traceidratio"},
           {"OTEL_TRACES_SAMPLER_ARG", "0.25"},
           {"OTEL_BSP_MAX_QUEUE_SIZE", "100"},
           {"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "10"},
           {"OTEL_BSP_SCHEDULE_DELAY", "200"},
           {"OTEL_PROPAGATORS", "tracecontext"}}));
  EXPECT_EQ(settings.service_name(), "crm-api");
  EXPECT_EQ(settings.resource.at("service.version"), "2.0.1");
  EXPECT_EQ(settings.resource.at("deployment.environment.name"), "test");
  EXPECT_EQ(settings.resource.at("team"), "a,b");
  EXPECT_EQ(settings.protocol, ExportProtocol::kGrpc);
  EXPECT_EQ(settings.endpoint, "http://127.0.0.1:4317");
  EXPECT_EQ(settings.export_timeout.count(), 2500);
  EXPECT_EQ(settings.sampler.name, "parentbased_traceidratio");
  EXPECT_DOUBLE_EQ(settings.sampler.ratio, 0.25);
  EXPECT_EQ(settings.batch.max_queue_size, 100u);
  EXPECT_EQ(settings.batch.max_export_batch_size, 10u);
  EXPECT_EQ(settings.batch.schedule_delay.count(), 200);
  EXPECT_EQ(settings.propagators, (std::vector<std::string>{"tracecontext"}));
  EXPECT_TRUE(settings.warnings.empty()) << settings.warnings.front();
}

TEST(Settings, HttpEndpointGetsTheSignalPath) {
  auto settings = SettingsFromEnvironment(
      "s", "1", Env({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/"}}));
  EXPECT_EQ(settings.endpoint, "http://collector:4318/v1/traces");
  settings = SettingsFromEnvironment(
      "s", "1",
      Env({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"},
           {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://other:9999/custom"}}));
  EXPECT_EQ(settings.endpoint, "http://other:9999/custom");
}

TEST(Settings, DisabledSdk) {
  EXPECT_TRUE(SettingsFromEnvironment("s", "1", Env({{"OTEL_SDK_DISABLED", "TRUE"}})).disabled);
  EXPECT_FALSE(SettingsFromEnvironment("s", "1", Env({{"OTEL_SDK_DISABLED", "false"}})).disabled);
}

TEST(Settings, InvalidValuesFallBackToDefaultsWithWarnings) {
  const auto settings =
      SettingsFromEnvironment("s", "1",
                              Env({{"OTEL_TRACES_SAMPLER", "sometimes"},
                                   {"OTEL_TRACES_SAMPLER_ARG", "1.5"},
                                   {"OTEL_BSP_MAX_QUEUE_SIZE", "-3"},
                                   {"OTEL_BSP_SCHEDULE_DELAY", "soon"},
                                   {"OTEL_EXPORTER_OTLP_PROTOCOL", "carrier-pigeon"},
                                   {"OTEL_SDK_DISABLED", "maybe"},
                                   {"OTEL_RESOURCE_ATTRIBUTES", "novalue,bad=%zz,ok=1"}}));
  EXPECT_EQ(settings.sampler.name, "parentbased_always_on");
  EXPECT_DOUBLE_EQ(settings.sampler.ratio, 1.0);
  EXPECT_EQ(settings.batch.max_queue_size, 2048u);
  EXPECT_EQ(settings.batch.schedule_delay.count(), 5000);
  EXPECT_EQ(settings.protocol, ExportProtocol::kHttpProtobuf);
  EXPECT_FALSE(settings.disabled);
  EXPECT_EQ(settings.resource.at("ok"), "1");
  EXPECT_EQ(settings.resource.count("bad"), 0u);
  EXPECT_EQ(settings.warnings.size(), 8u);
}

TEST(Settings, BatchLargerThanQueueIsClamped) {
  const auto settings = SettingsFromEnvironment(
      "s", "1", Env({{"OTEL_BSP_MAX_QUEUE_SIZE", "10"}, {"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "50"}}));
  EXPECT_EQ(settings.batch.max_export_batch_size, 10u);
  EXPECT_EQ(settings.warnings.size(), 1u);
}

TEST(Settings, ExportHeadersAreDecodedAndTheTracesOnesWin) {
  auto settings = SettingsFromEnvironment(
      "s", "1",
      Env({{"OTEL_EXPORTER_OTLP_HEADERS", "Authorization=Bearer%20abc123, X-Team=a%2Cb"}}));
  EXPECT_EQ(settings.headers.at("Authorization"), "Bearer abc123");
  EXPECT_EQ(settings.headers.at("X-Team"), "a,b");
  settings = SettingsFromEnvironment(
      "s", "1",
      Env({{"OTEL_EXPORTER_OTLP_HEADERS", "Authorization=Bearer%20general"},
           {"OTEL_EXPORTER_OTLP_TRACES_HEADERS", "Authorization=Bearer%20traces"}}));
  EXPECT_EQ(settings.headers.at("Authorization"), "Bearer traces");
  EXPECT_TRUE(settings.warnings.empty());
}

TEST(Settings, AMalformedHeaderIsSkippedAndItsValueNeverWarnedAbout) {
  const auto settings = SettingsFromEnvironment(
      "s", "1", Env({{"OTEL_EXPORTER_OTLP_HEADERS", "Authorization=Bearer%zzsecret-value,ok=1"}}));
  EXPECT_EQ(settings.headers.count("Authorization"), 0u);
  EXPECT_EQ(settings.headers.at("ok"), "1");
  ASSERT_EQ(settings.warnings.size(), 1u);
  EXPECT_NE(settings.warnings.front().find("Authorization"), std::string::npos);
  EXPECT_EQ(settings.warnings.front().find("secret-value"), std::string::npos);
}

TEST(Settings, ExportTlsFiles) {
  const auto settings =
      SettingsFromEnvironment("s", "1",
                              Env({{"OTEL_EXPORTER_OTLP_CERTIFICATE", "/etc/ca.pem"},
                                   {"OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY", "/etc/client.key"},
                                   {"OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE", "/etc/client.pem"}}));
  EXPECT_EQ(settings.tls.ca_file, "/etc/ca.pem");
  EXPECT_EQ(settings.tls.client_key_file, "/etc/client.key");
  EXPECT_EQ(settings.tls.client_certificate_file, "/etc/client.pem");
}

TEST(Settings, ExportPathIsOursUnlessAskedOtherwise) {
  EXPECT_EQ(SettingsFromEnvironment("s", "1", Env({})).export_path, ExportPath::kCompact);
  EXPECT_EQ(SettingsFromEnvironment("s", "1", Env({{"FABTRACE_SPAN_EXPORT", "sync"}})).export_path,
            ExportPath::kSync);
  EXPECT_EQ(SettingsFromEnvironment("s", "1", Env({{"FABTRACE_SPAN_EXPORT", "STOCK"}})).export_path,
            ExportPath::kStock);
  const auto odd = SettingsFromEnvironment("s", "1", Env({{"FABTRACE_SPAN_EXPORT", "fast"}}));
  EXPECT_EQ(odd.export_path, ExportPath::kCompact);
  ASSERT_EQ(odd.warnings.size(), 1u);
  EXPECT_NE(odd.warnings.front().find("FABTRACE_SPAN_EXPORT"), std::string::npos);
}

TEST(Settings, TracerIsOursUnlessAskedOtherwiseOrTheStockPathIsChosen) {
  const auto tracer = [](std::map<std::string, std::string> env) {
    return SettingsFromEnvironment("s", "1", Env(std::move(env))).tracer;
  };
  EXPECT_EQ(tracer({}), TracerKind::kDirect);
  EXPECT_EQ(tracer({{"FABTRACE_TRACER", "SDK"}}), TracerKind::kSdk);
  EXPECT_EQ(tracer({{"FABTRACE_SPAN_EXPORT", "stock"}}), TracerKind::kSdk);
  EXPECT_EQ(tracer({{"FABTRACE_SPAN_EXPORT", "stock"}, {"FABTRACE_TRACER", "direct"}}),
            TracerKind::kDirect);
  const auto odd = SettingsFromEnvironment("s", "1", Env({{"FABTRACE_TRACER", "fast"}}));
  EXPECT_EQ(odd.tracer, TracerKind::kDirect);
  ASSERT_EQ(odd.warnings.size(), 1u);
  EXPECT_NE(odd.warnings.front().find("FABTRACE_TRACER"), std::string::npos);
}

}  // namespace
}  // namespace fabtrace::telemetry
