// Our export path: spans recorded by the real SDK into CompactRecordables, encoded, then
// parsed back with the protobuf classes generated from the OTLP .proto files; and the
// exporter against a local stand-in Collector (retries, Retry-After, refusals).
#include "compact_recordable.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "direct_tracer.h"
#include "fabtrace/telemetry/fixed_attributes.h"
#include "fabtrace/telemetry/start_attributes.h"
#include "opentelemetry/sdk/resource/resource.h"
#include "opentelemetry/sdk/trace/samplers/always_on_factory.h"
#include "opentelemetry/sdk/trace/simple_processor_factory.h"
#include "opentelemetry/sdk/trace/tracer_provider_factory.h"
#include "otlp_http_compact_exporter.h"
#include "proto_writer.h"

// clang-format off
#include "opentelemetry/exporters/otlp/protobuf_include_prefix.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "opentelemetry/exporters/otlp/protobuf_include_suffix.h"
// clang-format on

namespace sdk = opentelemetry::sdk;
namespace sdktrace = opentelemetry::sdk::trace;
namespace trace = opentelemetry::trace;
namespace proto = opentelemetry::proto;

namespace fabtrace::telemetry {
namespace {

// Encodes what the SDK hands it, as the real exporter does, and keeps the bytes.
class EncodingExporter final : public sdktrace::SpanExporter {
 public:
  explicit EncodingExporter(std::string* out) : out_(out) {}
  std::unique_ptr<sdktrace::Recordable> MakeRecordable() noexcept override {
    return std::make_unique<detail::CompactRecordable>();
  }
  sdk::common::ExportResult Export(
      const opentelemetry::nostd::span<std::unique_ptr<sdktrace::Recordable>>& spans) noexcept
      override {
    detail::EncodeExportRequest(spans, *out_);
    return sdk::common::ExportResult::kSuccess;
  }
  bool ForceFlush(std::chrono::microseconds) noexcept override { return true; }
  bool Shutdown(std::chrono::microseconds) noexcept override { return true; }

 private:
  std::string* out_;
};

std::unique_ptr<sdktrace::TracerProvider> ProviderInto(std::string* out) {
  return sdktrace::TracerProviderFactory::Create(
      sdktrace::SimpleSpanProcessorFactory::Create(std::make_unique<EncodingExporter>(out)),
      sdk::resource::Resource::Create({{"service.name", "shop-api"}, {"service.version", "1.2"}}));
}

std::map<std::string, proto::common::v1::AnyValue> AttributesOf(
    const google::protobuf::RepeatedPtrField<proto::common::v1::KeyValue>& attributes) {
  std::map<std::string, proto::common::v1::AnyValue> by_key;
  for (const auto& attribute : attributes) {
    EXPECT_EQ(by_key.count(attribute.key()), 0u) << "key twice: " << attribute.key();
    by_key[attribute.key()] = attribute.value();
  }
  return by_key;
}

std::string Bytes(opentelemetry::nostd::span<const uint8_t> id) {
  return {reinterpret_cast<const char*>(id.data()), id.size()};
}

TEST(CompactRecordable, EncodesWhatTheSdkRecordedAsOtlpParsesIt) {
  std::string wire;
  auto provider = ProviderInto(&wire);
  auto tracer = provider->GetTracer("fabtrace.http", "0.9");
  trace::StartSpanOptions options;
  options.kind = trace::SpanKind::kServer;
  auto parent = tracer->StartSpan("parent");
  options.parent = parent->GetContext();
  auto span = tracer->StartSpan("GET /materials", {},
                                {{parent->GetContext(), {{"link.reason", "approval"}}}}, options);
  span->SetAttribute("http.request.method", "GET");
  span->SetAttribute("http.response.status_code", 500);
  span->SetAttribute("http.response.status_code", 503);  // overwritten, not repeated
  span->SetAttribute("server.port", static_cast<uint32_t>(8180));
  span->SetAttribute("db.rows", static_cast<int64_t>(-7));
  span->SetAttribute("shop.price", 12.5);
  span->SetAttribute("shop.express", true);
  std::vector<opentelemetry::nostd::string_view> materials = {"pla-white", "petg-black"};
  span->SetAttribute("shop.materials", materials);
  span->AddEvent("exception",
                 {{"exception.type", "std::runtime_error"}, {"exception.message", "boom"}});
  span->SetStatus(trace::StatusCode::kError, "HTTP 503");
  const auto context = span->GetContext();
  span->End();
  parent->End();

  proto::collector::trace::v1::ExportTraceServiceRequest request;
  ASSERT_FALSE(wire.empty());
  // Two exports (the simple processor sends one span each), appended: a request parses
  // as the concatenation of its repeated fields.
  ASSERT_TRUE(request.ParseFromString(wire));
  // Every length was computed before its message was written: protobuf itself writes
  // the same bytes.
  EXPECT_EQ(request.SerializeAsString(), wire);
  ASSERT_EQ(request.resource_spans_size(), 2);
  const auto& resource_spans = request.resource_spans(0);
  auto resource = AttributesOf(resource_spans.resource().attributes());
  EXPECT_EQ(resource["service.name"].string_value(), "shop-api");
  EXPECT_EQ(resource["service.version"].string_value(), "1.2");
  ASSERT_EQ(resource_spans.scope_spans_size(), 1);
  EXPECT_EQ(resource_spans.scope_spans(0).scope().name(), "fabtrace.http");
  EXPECT_EQ(resource_spans.scope_spans(0).scope().version(), "0.9");
  ASSERT_EQ(resource_spans.scope_spans(0).spans_size(), 1);

  const auto& encoded = resource_spans.scope_spans(0).spans(0);
  EXPECT_EQ(encoded.name(), "GET /materials");
  EXPECT_EQ(encoded.kind(), proto::trace::v1::Span::SPAN_KIND_SERVER);
  EXPECT_EQ(encoded.trace_id(), Bytes(context.trace_id().Id()));
  EXPECT_EQ(encoded.span_id(), Bytes(context.span_id().Id()));
  EXPECT_EQ(encoded.parent_span_id(), Bytes(parent->GetContext().span_id().Id()));
  EXPECT_EQ(encoded.flags() & 0xff, 1u);  // sampled
  EXPECT_GT(encoded.start_time_unix_nano(), 1'700'000'000'000'000'000u);
  EXPECT_GE(encoded.end_time_unix_nano(), encoded.start_time_unix_nano());
  auto attributes = AttributesOf(encoded.attributes());
  EXPECT_EQ(attributes.size(), 7u);
  EXPECT_EQ(attributes["http.request.method"].string_value(), "GET");
  EXPECT_EQ(attributes["http.response.status_code"].int_value(), 503);
  EXPECT_EQ(attributes["server.port"].int_value(), 8180);
  EXPECT_EQ(attributes["db.rows"].int_value(), -7);
  EXPECT_DOUBLE_EQ(attributes["shop.price"].double_value(), 12.5);
  EXPECT_TRUE(attributes["shop.express"].bool_value());
  ASSERT_EQ(attributes["shop.materials"].array_value().values_size(), 2);
  EXPECT_EQ(attributes["shop.materials"].array_value().values(1).string_value(), "petg-black");
  ASSERT_EQ(encoded.events_size(), 1);
  EXPECT_EQ(encoded.events(0).name(), "exception");
  EXPECT_EQ(AttributesOf(encoded.events(0).attributes())["exception.message"].string_value(),
            "boom");
  ASSERT_EQ(encoded.links_size(), 1);
  EXPECT_EQ(encoded.links(0).span_id(), Bytes(parent->GetContext().span_id().Id()));
  EXPECT_EQ(AttributesOf(encoded.links(0).attributes())["link.reason"].string_value(), "approval");
  EXPECT_EQ(encoded.status().code(), proto::trace::v1::Status::STATUS_CODE_ERROR);
  EXPECT_EQ(encoded.status().message(), "HTTP 503");

  const auto& root = request.resource_spans(1).scope_spans(0).spans(0);
  EXPECT_EQ(root.name(), "parent");
  EXPECT_TRUE(root.parent_span_id().empty());
  EXPECT_EQ(root.kind(), proto::trace::v1::Span::SPAN_KIND_INTERNAL);
  EXPECT_FALSE(root.has_status());
}

TEST(CompactRecordable, GroupsABatchByScopeAndKeepsLargeValuesWhole) {
  std::vector<std::unique_ptr<sdktrace::Recordable>> batch;
  const auto resource = sdk::resource::Resource::Create({{"service.name", "crm-api"}});
  auto http_scope = sdk::instrumentationscope::InstrumentationScope::Create("fabtrace.http");
  auto db_scope = sdk::instrumentationscope::InstrumentationScope::Create("fabtrace.db");
  const std::string big(300'000, 'x');  // lengths beyond one varint byte, and beyond 64 KiB
  for (int i = 0; i < 6; ++i) {
    auto span = std::make_unique<detail::CompactRecordable>();
    span->SetResource(resource);
    span->SetInstrumentationScope(i % 2 ? *db_scope : *http_scope);
    span->SetName("span " + std::to_string(i));
    span->SetAttribute("db.query.text", i == 3 ? big : std::string("SELECT 1"));
    batch.push_back(std::move(span));
  }
  std::string wire;
  detail::EncodeExportRequest(batch, wire);
  proto::collector::trace::v1::ExportTraceServiceRequest request;
  ASSERT_TRUE(request.ParseFromString(wire));
  ASSERT_EQ(request.resource_spans_size(), 1);
  const auto& scopes = request.resource_spans(0).scope_spans();
  ASSERT_EQ(scopes.size(), 2);
  EXPECT_EQ(scopes[0].scope().name(), "fabtrace.http");
  EXPECT_EQ(scopes[1].scope().name(), "fabtrace.db");
  ASSERT_EQ(scopes[1].spans_size(), 3);
  EXPECT_EQ(scopes[1].spans(0).name(), "span 1");
  EXPECT_EQ(scopes[1].spans(1).attributes(0).value().string_value(), big);
}

TEST(CompactRecordable, AReplacedValueOfAnyKindIsEncodedOnceWithItsLastValue) {
  std::vector<std::unique_ptr<sdktrace::Recordable>> batch;
  auto span = std::make_unique<detail::CompactRecordable>();
  span->SetAttribute("a", "a long first value");
  span->SetAttribute("a", "short");  // fits the first one's room
  span->SetAttribute("b", "short");
  span->SetAttribute("b", "a value longer than the first");
  span->SetAttribute("c", "text");
  span->SetAttribute("c", int64_t{7});
  const int64_t numbers[] = {1, 2};
  span->SetAttribute("d", opentelemetry::nostd::span<const int64_t>(numbers));
  span->SetAttribute("d", opentelemetry::nostd::span<const int64_t>(numbers, 1));
  span->SetAttribute("d", 2.5);
  span->SetAttribute("e", true);
  span->SetAttribute("e", "now text");
  batch.push_back(std::move(span));
  std::string wire;
  detail::EncodeExportRequest(batch, wire);
  proto::collector::trace::v1::ExportTraceServiceRequest request;
  ASSERT_TRUE(request.ParseFromString(wire));
  const auto& encoded = request.resource_spans(0).scope_spans(0).spans(0);
  ASSERT_EQ(encoded.attributes_size(), 5);
  auto attributes = AttributesOf(encoded.attributes());
  EXPECT_EQ(attributes["a"].string_value(), "short");
  EXPECT_EQ(attributes["b"].string_value(), "a value longer than the first");
  EXPECT_EQ(attributes["c"].int_value(), 7);
  EXPECT_EQ(attributes["d"].double_value(), 2.5);
  EXPECT_EQ(attributes["e"].string_value(), "now text");
}

// Every kind of value the API hands a span, and the SDK's owned values of a resource,
// come out as OTLP's AnyValue kinds (integers as int64), arrays element by element.
TEST(CompactRecordable, EncodesEveryKindOfValueOfTheApiAndOfAResource) {
  std::vector<std::unique_ptr<sdktrace::Recordable>> batch;
  sdk::resource::ResourceAttributes given;  // held as owned values (strings, vectors)
  given.SetAttribute("flag", true);
  given.SetAttribute("count", static_cast<uint64_t>(1) << 40);
  given.SetAttribute("ratio", 0.25);
  const std::string long_name(200, 'n');
  const opentelemetry::nostd::string_view names[] = {"a", "", long_name};
  given.SetAttribute("names",
                     opentelemetry::nostd::span<const opentelemetry::nostd::string_view>(names));
  const bool resource_switches[] = {true, false, true};
  given.SetAttribute("switches", opentelemetry::nostd::span<const bool>(resource_switches));
  const uint8_t bytes[] = {0, 255};
  given.SetAttribute("bytes", opentelemetry::nostd::span<const uint8_t>(bytes));
  const auto resource = sdk::resource::Resource::Create(given);
  auto span = std::make_unique<detail::CompactRecordable>();
  span->SetResource(resource);
  span->SetAttribute("empty", "");
  span->SetAttribute("c string", static_cast<const char*>("text"));
  span->SetAttribute("negative", static_cast<int32_t>(-1));
  span->SetAttribute("large", static_cast<uint64_t>(1) << 62);
  const bool switches[] = {false, true};
  span->SetAttribute("switches", opentelemetry::nostd::span<const bool>(switches));
  const double numbers[] = {1.5, -2.5};
  span->SetAttribute("numbers", opentelemetry::nostd::span<const double>(numbers));
  const uint32_t none[] = {0};
  span->SetAttribute("none", opentelemetry::nostd::span<const uint32_t>(none, std::size_t{0}));
  span->SetAttribute(std::string(130, 'k'), std::string(20000, 'v'));  // two-byte lengths
  batch.push_back(std::move(span));
  std::string wire;
  detail::EncodeExportRequest(batch, wire);
  proto::collector::trace::v1::ExportTraceServiceRequest request;
  ASSERT_TRUE(request.ParseFromString(wire));
  auto owned = AttributesOf(request.resource_spans(0).resource().attributes());
  EXPECT_TRUE(owned["flag"].bool_value());
  EXPECT_EQ(owned["count"].int_value(), int64_t{1} << 40);
  EXPECT_DOUBLE_EQ(owned["ratio"].double_value(), 0.25);
  ASSERT_EQ(owned["names"].array_value().values_size(), 3);
  EXPECT_EQ(owned["names"].array_value().values(1).string_value(), "");
  EXPECT_EQ(owned["names"].array_value().values(2).string_value(), std::string(200, 'n'));
  ASSERT_EQ(owned["switches"].array_value().values_size(), 3);
  EXPECT_FALSE(owned["switches"].array_value().values(1).bool_value());
  EXPECT_TRUE(owned["switches"].array_value().values(2).bool_value());
  ASSERT_EQ(owned["bytes"].array_value().values_size(), 2);
  EXPECT_EQ(owned["bytes"].array_value().values(1).int_value(), 255);

  auto attributes = AttributesOf(request.resource_spans(0).scope_spans(0).spans(0).attributes());
  ASSERT_EQ(attributes.size(), 8u);
  EXPECT_EQ(attributes["empty"].value_case(), proto::common::v1::AnyValue::kStringValue);
  EXPECT_EQ(attributes["c string"].string_value(), "text");
  EXPECT_EQ(attributes["negative"].int_value(), -1);
  EXPECT_EQ(attributes["large"].int_value(), int64_t{1} << 62);
  ASSERT_EQ(attributes["switches"].array_value().values_size(), 2);
  EXPECT_TRUE(attributes["switches"].array_value().values(1).bool_value());
  ASSERT_EQ(attributes["numbers"].array_value().values_size(), 2);
  EXPECT_DOUBLE_EQ(attributes["numbers"].array_value().values(1).double_value(), -2.5);
  EXPECT_EQ(attributes["none"].value_case(), proto::common::v1::AnyValue::kArrayValue);
  EXPECT_EQ(attributes["none"].array_value().values_size(), 0);
  EXPECT_EQ(attributes[std::string(130, 'k')].string_value(), std::string(20000, 'v'));
}

// Our tracer hands the instrumentation's StartAttributes to the compact recordable in one
// call: the same rules hold there (a key given twice keeps its last value, every kind of
// value, long keys and values), and for the attributes set after the start.
TEST(CompactRecordable, TakesOurTracersStartAttributesInOneCall) {
  std::string wire;
  detail::DirectTracerProvider provider(
      sdktrace::SimpleSpanProcessorFactory::Create(std::make_unique<EncodingExporter>(&wire)),
      sdk::resource::Resource::Create({{"service.name", "shop-api"}}),
      sdktrace::AlwaysOnSamplerFactory::Create());
  const std::string long_key(200, 'k'), long_value(300, 'v');
  const double numbers[] = {1.5, 2.5};
  StartAttributes start;
  start.Add("http.request.method", "GET");
  start.Add("server.port", int64_t{8180});
  start.Add("http.request.method", opentelemetry::nostd::string_view("POST"));
  start.Add("numbers", opentelemetry::nostd::span<const double>(numbers));
  start.Add(long_key, long_value);
  start.Add("flag", true);
  auto span = provider.GetTracer("fabtrace.test")->StartSpan("GET /materials", start);
  span->SetAttribute("http.response.status_code", 200);
  span->SetAttribute("server.port", int64_t{8181});
  span->End();

  proto::collector::trace::v1::ExportTraceServiceRequest request;
  ASSERT_TRUE(request.ParseFromString(wire));
  EXPECT_EQ(request.SerializeAsString(), wire);
  auto attributes = AttributesOf(request.resource_spans(0).scope_spans(0).spans(0).attributes());
  ASSERT_EQ(attributes.size(), 6u);
  EXPECT_EQ(attributes["http.request.method"].string_value(), "POST");
  EXPECT_EQ(attributes["server.port"].int_value(), 8181);
  ASSERT_EQ(attributes["numbers"].array_value().values_size(), 2);
  EXPECT_DOUBLE_EQ(attributes["numbers"].array_value().values(1).double_value(), 2.5);
  EXPECT_EQ(attributes[long_key].string_value(), long_value);
  EXPECT_TRUE(attributes["flag"].bool_value());
  EXPECT_EQ(attributes["http.response.status_code"].int_value(), 200);
}

// The short copies (up to 32 bytes without memcpy) copy every byte of every size, and
// nothing before or after.
TEST(CopyBytes, CopiesEverySizeExactlyAndNothingBeyond) {
  std::string from(80, '\0');
  for (std::size_t i = 0; i < from.size(); ++i) from[i] = static_cast<char>('A' + i % 50);
  for (std::size_t size = 0; size <= 70; ++size) {
    SCOPED_TRACE(size);
    std::string to(size + 8, '.');
    detail::CopyBytes(to.data() + 4, from.data() + 3, size);
    EXPECT_EQ(to, "...." + from.substr(3, size) + "....");
  }
}

// The fixed attributes of an owner (a server's, a database's) go into the span as one
// encoded block, under the same rules as the others: a key also given among the start
// attributes keeps the fixed value, one set after the start replaces it, and the SDK's own
// tracer, which reads them one by one, records the same.
TEST(CompactRecordable, TakesFixedAttributesAsOneBlockUnderTheSameRules) {
  const FixedAttributes server({{"url.scheme", "http"},
                                {"server.port", std::int64_t{8180}},
                                {"network.protocol.version", "1.1"}});
  for (const bool ours : {true, false}) {
    SCOPED_TRACE(ours ? "direct tracer" : "sdk tracer");
    std::string wire;
    std::unique_ptr<trace::TracerProvider> provider;
    if (ours) {
      provider = std::make_unique<detail::DirectTracerProvider>(
          sdktrace::SimpleSpanProcessorFactory::Create(std::make_unique<EncodingExporter>(&wire)),
          sdk::resource::Resource::Create({{"service.name", "shop-api"}}),
          sdktrace::AlwaysOnSamplerFactory::Create());
    } else {
      provider = ProviderInto(&wire);
    }
    StartAttributes start;
    start.Add("http.request.method", "GET");
    start.Add("url.scheme", "https");  // the fixed value wins
    start.Add(server);
    EXPECT_EQ(start.size(), 5u);
    auto span = provider->GetTracer("fabtrace.test")->StartSpan("GET /materials", start);
    span->SetAttribute("server.port", int64_t{8181});
    span->SetAttribute("http.response.status_code", 200);
    span->End();

    proto::collector::trace::v1::ExportTraceServiceRequest request;
    ASSERT_TRUE(request.ParseFromString(wire));
    EXPECT_EQ(request.SerializeAsString(), wire);
    auto attributes = AttributesOf(request.resource_spans(0).scope_spans(0).spans(0).attributes());
    ASSERT_EQ(attributes.size(), 5u);
    EXPECT_EQ(attributes["http.request.method"].string_value(), "GET");
    EXPECT_EQ(attributes["url.scheme"].string_value(), "http");
    EXPECT_EQ(attributes["server.port"].int_value(), 8181);
    EXPECT_EQ(attributes["network.protocol.version"].string_value(), "1.1");
    EXPECT_EQ(attributes["http.response.status_code"].int_value(), 200);
  }
}

TEST(CompactRecordable, CountsFixedAttributesBeyondTheLimitAsDropped) {
  const FixedAttributes fixed({{"a", "1"}, {"b", std::int64_t{2}}, {"c", "3"}});
  detail::CompactRecordable span;
  for (std::size_t i = 0; i + 1 < detail::kMaxAttributes; ++i) {
    span.SetAttribute("key." + std::to_string(i), static_cast<int64_t>(i));
  }
  StartAttributes start;
  start.Add(fixed);
  span.SetAttributes(start);
  EXPECT_EQ(span.attributes.size(), detail::kMaxAttributes);
  EXPECT_EQ(span.attributes.dropped, 2u);
  // the one that fitted is whole: the last field of the store is a = "1"
  const auto encoded = span.attributes.encoded();
  EXPECT_EQ(encoded.substr(encoded.size() - 10), std::string_view("\x4a\x08\x0a\x01"
                                                                  "a\x12\x03\x0a\x01"
                                                                  "1",
                                                                  10));
  // and a recordable with nothing before takes all three, its bytes the block's
  detail::CompactRecordable fresh;
  fresh.SetAttributes(start);
  EXPECT_EQ(fresh.attributes.size(), 3u);
  EXPECT_EQ(fresh.attributes.dropped, 0u);
  EXPECT_EQ(fresh.attributes.encoded(), fixed.encoded()->encoded());
}

// An owner without fixed attributes adds none.
TEST(FixedAttributes, EmptyOnesAddNothing) {
  const FixedAttributes none;
  EXPECT_EQ(none.size(), 0u);
  EXPECT_EQ(none.encoded(), nullptr);
  StartAttributes start;
  start.Add("only", "this");
  start.Add(none);
  detail::CompactRecordable span;
  span.SetAttributes(start);
  EXPECT_EQ(span.attributes.size(), 1u);
  int seen = 0;
  start.ForEachKeyValue([&seen](auto, auto) {
    ++seen;
    return true;
  });
  EXPECT_EQ(seen, 1);
}

// Encodes each span alone (one wire message per export) with recordables from a pool.
class PooledExporter final : public sdktrace::SpanExporter {
 public:
  explicit PooledExporter(std::vector<std::string>* out) : out_(out) {}
  std::unique_ptr<sdktrace::Recordable> MakeRecordable() noexcept override { return pool_.Take(); }
  sdk::common::ExportResult Export(
      const opentelemetry::nostd::span<std::unique_ptr<sdktrace::Recordable>>& spans) noexcept
      override {
    out_->emplace_back();
    detail::EncodeExportRequest(spans, out_->back());
    pool_.GiveBack(spans);
    return sdk::common::ExportResult::kSuccess;
  }
  bool ForceFlush(std::chrono::microseconds) noexcept override { return true; }
  bool Shutdown(std::chrono::microseconds) noexcept override { return true; }

 private:
  std::vector<std::string>* out_;
  detail::RecordablePool pool_{4};
};

TEST(RecordablePool, ARecycledRecordableCarriesNothingOfItsLastSpan) {
  std::vector<std::string> wires;
  auto provider = sdktrace::TracerProviderFactory::Create(
      sdktrace::SimpleSpanProcessorFactory::Create(std::make_unique<PooledExporter>(&wires)),
      sdk::resource::Resource::Create({{"service.name", "shop-api"}}));
  auto tracer = provider->GetTracer("fabtrace.test");
  for (const bool large : {false, true}) {  // a kept store, and one too large to keep
    trace::StartSpanOptions remote;
    remote.kind = trace::SpanKind::kServer;
    const uint8_t trace_id[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    const uint8_t span_id[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    remote.parent =
        trace::SpanContext(trace::TraceId(trace_id), trace::SpanId(span_id), trace::TraceFlags(1),
                           true, trace::TraceState::FromHeader("vendor=abc"));
    auto busy = tracer->StartSpan("busy", remote);
    for (int i = 0; i < 20; ++i) busy->SetAttribute("busy." + std::to_string(i), i);
    busy->SetAttribute("text", std::string(large ? 10000 : 100, 'x'));
    busy->AddEvent("exception", {{"exception.type", "timeout"}});
    busy->SetStatus(trace::StatusCode::kError, "57014");
    busy->End();
    auto quiet = tracer->StartSpan("quiet");
    quiet->SetAttribute("only", "this");
    quiet->End();
  }
  ASSERT_EQ(wires.size(), 4u);
  for (const std::size_t index : {1u, 3u}) {
    SCOPED_TRACE(index);
    proto::collector::trace::v1::ExportTraceServiceRequest request;
    ASSERT_TRUE(request.ParseFromString(wires[index]));
    const auto& span = request.resource_spans(0).scope_spans(0).spans(0);
    EXPECT_EQ(span.name(), "quiet");
    EXPECT_EQ(span.kind(), proto::trace::v1::Span::SPAN_KIND_INTERNAL);
    EXPECT_TRUE(span.parent_span_id().empty());
    EXPECT_TRUE(span.trace_state().empty());
    EXPECT_NE(span.trace_id(),
              std::string("\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10", 16));
    const auto attributes = AttributesOf(span.attributes());
    ASSERT_EQ(attributes.size(), 1u);
    EXPECT_EQ(attributes.at("only").string_value(), "this");
    EXPECT_EQ(span.events_size(), 0);
    EXPECT_EQ(span.links_size(), 0);
    EXPECT_EQ(span.dropped_attributes_count(), 0u);
    EXPECT_EQ(span.status().code(), proto::trace::v1::Status::STATUS_CODE_UNSET);
    EXPECT_TRUE(span.status().message().empty());
    // and the busy span before it was whole
    proto::collector::trace::v1::ExportTraceServiceRequest previous;
    ASSERT_TRUE(previous.ParseFromString(wires[index - 1]));
    EXPECT_EQ(previous.SerializeAsString(), wires[index - 1]);
    EXPECT_EQ(previous.resource_spans(0).scope_spans(0).spans(0).attributes_size(), 21);
  }
}

TEST(CompactRecordable, CountsAttributesBeyondTheLimitAsDropped) {
  detail::CompactRecordable span;
  for (std::size_t i = 0; i < detail::kMaxAttributes + 5; ++i) {
    span.SetAttribute("key." + std::to_string(i), static_cast<int64_t>(i));
  }
  EXPECT_EQ(span.attributes.size(), detail::kMaxAttributes);
  EXPECT_EQ(span.attributes.dropped, 5u);
}

// A Collector stand-in that answers with the statuses it is given, in turn.
class FakeCollector {
 public:
  explicit FakeCollector(std::vector<int> statuses, std::string retry_after = "")
      : statuses_(std::move(statuses)), retry_after_(std::move(retry_after)) {
    server_.Post("/v1/traces",
                 [this](const httplib::Request& request, httplib::Response& response) {
                   std::lock_guard lock(mutex_);
                   bodies_.push_back(request.body);
                   authorization_ = request.get_header_value("Authorization");
                   content_type_ = request.get_header_value("Content-Type");
                   const auto index = std::min(bodies_.size(), statuses_.size()) - 1;
                   response.status = statuses_[index];
                   if (!retry_after_.empty()) response.set_header("Retry-After", retry_after_);
                 });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FakeCollector() {
    server_.stop();
    thread_.join();
  }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1/traces"; }
  std::size_t requests() {
    std::lock_guard lock(mutex_);
    return bodies_.size();
  }
  std::string body(std::size_t i) {
    std::lock_guard lock(mutex_);
    return bodies_.at(i);
  }
  std::string authorization_, content_type_;

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<std::string> bodies_;
  std::vector<int> statuses_;
  std::string retry_after_;
};

Settings SettingsFor(const std::string& url,
                     std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  Settings settings;
  settings.endpoint = url;
  settings.export_timeout = timeout;
  settings.headers = {{"Authorization", "Bearer t0ken"}};
  return settings;
}

sdk::common::ExportResult ExportOne(sdktrace::SpanExporter& exporter) {
  std::vector<std::unique_ptr<sdktrace::Recordable>> batch;
  batch.push_back(exporter.MakeRecordable());
  batch.back()->SetName("one");
  return exporter.Export(batch);
}

TEST(CompactOtlpHttpExporter, PostsProtobufWithTheHeadersAndReusesItsConnection) {
  FakeCollector collector({200});
  auto exporter = MakeCompactOtlpHttpExporter(SettingsFor(collector.Url()));
  EXPECT_EQ(ExportOne(*exporter), sdk::common::ExportResult::kSuccess);
  EXPECT_EQ(ExportOne(*exporter), sdk::common::ExportResult::kSuccess);
  ASSERT_EQ(collector.requests(), 2u);
  EXPECT_EQ(collector.authorization_, "Bearer t0ken");
  EXPECT_EQ(collector.content_type_, "application/x-protobuf");
  proto::collector::trace::v1::ExportTraceServiceRequest request;
  ASSERT_TRUE(request.ParseFromString(collector.body(1)));
  EXPECT_EQ(request.resource_spans(0).scope_spans(0).spans(0).name(), "one");
}

TEST(CompactOtlpHttpExporter, RetriesWhatTheCollectorSaysToRetry) {
  FakeCollector collector({503, 429, 200});
  auto exporter = MakeCompactOtlpHttpExporter(SettingsFor(collector.Url()));
  EXPECT_EQ(ExportOne(*exporter), sdk::common::ExportResult::kSuccess);
  EXPECT_EQ(collector.requests(), 3u);
}

TEST(CompactOtlpHttpExporter, RidesOutACollectorRestartShorterThanTheTimeout) {
  FakeCollector collector({503, 503, 502, 503, 200, 200, 503});
  auto stats = std::make_shared<ExportStats>();
  auto exporter = MakeCompactOtlpHttpExporter(SettingsFor(collector.Url()), stats);
  EXPECT_EQ(ExportOne(*exporter), sdk::common::ExportResult::kSuccess);  // 0.2+0.4+0.8+1.6 s
  EXPECT_EQ(collector.requests(), 5u);
  EXPECT_EQ(stats->spans_retried.load(), 4u);
  EXPECT_EQ(ExportOne(*exporter), sdk::common::ExportResult::kSuccess);
}

TEST(CompactOtlpHttpExporter, AfterAnOutageOutlastingTheTimeoutEachBatchTriesOnce) {
  FakeCollector collector({503, 503, 503, 503, 503, 200});
  auto exporter =
      MakeCompactOtlpHttpExporter(SettingsFor(collector.Url(), std::chrono::milliseconds(500)),
                                  std::make_shared<ExportStats>());
  EXPECT_EQ(ExportOne(*exporter), sdk::common::ExportResult::kFailure);  // 200 ms, then no room
  const auto after_first = collector.requests();
  EXPECT_EQ(after_first, 2u);
  EXPECT_EQ(ExportOne(*exporter), sdk::common::ExportResult::kFailure);  // one attempt
  EXPECT_EQ(collector.requests(), after_first + 1);
}

TEST(CompactOtlpHttpExporter, GivesUpOnARefusalAtOnce) {
  FakeCollector collector({401});
  auto exporter = MakeCompactOtlpHttpExporter(SettingsFor(collector.Url()));
  EXPECT_EQ(ExportOne(*exporter), sdk::common::ExportResult::kFailure);
  EXPECT_EQ(collector.requests(), 1u);
}

TEST(CompactOtlpHttpExporter, ARetryAfterBeyondTheTimeoutFailsWithoutWaiting) {
  FakeCollector collector({503}, "30");
  auto exporter =
      MakeCompactOtlpHttpExporter(SettingsFor(collector.Url(), std::chrono::seconds(2)));
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(ExportOne(*exporter), sdk::common::ExportResult::kFailure);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(1));
  EXPECT_EQ(collector.requests(), 1u);
}

TEST(CompactOtlpHttpExporter, AnUnreachableCollectorFailsWithinTheTimeout) {
  auto exporter = MakeCompactOtlpHttpExporter(
      SettingsFor("http://127.0.0.1:9/v1/traces", std::chrono::milliseconds(1500)));
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(ExportOne(*exporter), sdk::common::ExportResult::kFailure);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(2500));
  EXPECT_TRUE(exporter->Shutdown(std::chrono::microseconds(0)));
  EXPECT_EQ(ExportOne(*exporter), sdk::common::ExportResult::kFailure);  // after shutdown
}

}  // namespace
}  // namespace fabtrace::telemetry
