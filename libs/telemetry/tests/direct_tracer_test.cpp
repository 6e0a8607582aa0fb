// The direct tracer (ours, the default) must record what opentelemetry-cpp's SDK tracer
// records: the same script of API calls runs under both and the spans are compared.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "fabtrace/telemetry/in_memory_tracing.h"
#include "fabtrace/telemetry/tracer.h"
#include "opentelemetry/context/runtime_context.h"
#include "opentelemetry/exporters/memory/in_memory_span_exporter_factory.h"
#include "opentelemetry/trace/context.h"
#include "opentelemetry/trace/scope.h"
#include "opentelemetry/trace/trace_state.h"

namespace trace = opentelemetry::trace;
namespace nostd = opentelemetry::nostd;

namespace fabtrace::telemetry {
namespace {

using testing::InMemoryTracing;
using testing::SpanData;
using testing::Spans;

std::string Hex(nostd::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (auto byte : bytes) {
    out += kDigits[byte >> 4];
    out += kDigits[byte & 15];
  }
  return out;
}

std::string Text(const opentelemetry::sdk::common::OwnedAttributeValue& value) {
  if (const auto* text = nostd::get_if<std::string>(&value)) return "s:" + *text;
  if (const auto* number = nostd::get_if<int64_t>(&value)) return "i:" + std::to_string(*number);
  if (const auto* number = nostd::get_if<int32_t>(&value)) return "i:" + std::to_string(*number);
  if (const auto* flag = nostd::get_if<bool>(&value)) return *flag ? "b:true" : "b:false";
  if (const auto* number = nostd::get_if<double>(&value)) return "d:" + std::to_string(*number);
  return "other";
}

// Everything a span carries except its random ids and clock readings, with its parent
// named (or given as the remote id it had), so that two runs can be compared.
std::string Describe(const SpanData& span, const Spans& all) {
  std::ostringstream out;
  out << span.GetName() << " kind=" << static_cast<int>(span.GetSpanKind());
  std::string parent = "none";
  if (span.GetParentSpanId().IsValid()) {
    parent = "remote:" + Hex(span.GetParentSpanId().Id());
    for (const auto& other : all) {
      if (other->GetSpanId() == span.GetParentSpanId() && other->GetTraceId() == span.GetTraceId())
        parent = std::string(other->GetName());
    }
  }
  out << " parent=" << parent << " flags=" << static_cast<int>(span.GetFlags().flags())
      << " tracestate=" << span.GetSpanContext().trace_state()->ToHeader()
      << " status=" << static_cast<int>(span.GetStatus()) << ":" << span.GetDescription()
      << " scope=" << span.GetInstrumentationScope().GetName() << "@"
      << span.GetInstrumentationScope().GetVersion()
      << " service=" << Text(span.GetResource().GetAttributes().at("service.name"));
  out << " started=" << (span.GetStartTime().time_since_epoch().count() > 0);
  for (const auto& [key, value] : span.GetAttributes()) out << " " << key << "=" << Text(value);
  for (const auto& event : span.GetEvents()) {
    out << " event:" << event.GetName();
    for (const auto& [key, value] : event.GetAttributes()) out << " " << key << "=" << Text(value);
  }
  for (const auto& link : span.GetLinks()) {
    out << " link:" << Hex(link.GetSpanContext().span_id().Id());
    for (const auto& [key, value] : link.GetAttributes()) out << " " << key << "=" << Text(value);
  }
  return out.str();
}

trace::SpanContext Remote(const char* trace_id_hex, const char* span_id_hex, bool sampled,
                          const char* trace_state = "") {
  uint8_t trace_id[16], span_id[8];
  for (int i = 0; i < 16; ++i)
    trace_id[i] =
        static_cast<uint8_t>(std::stoi(std::string(trace_id_hex + 2 * i, 2), nullptr, 16));
  for (int i = 0; i < 8; ++i)
    span_id[i] = static_cast<uint8_t>(std::stoi(std::string(span_id_hex + 2 * i, 2), nullptr, 16));
  return trace::SpanContext(trace::TraceId(trace_id), trace::SpanId(span_id),
                            trace::TraceFlags(sampled ? trace::TraceFlags::kIsSampled : 0), true,
                            trace::TraceState::FromHeader(trace_state));
}

// The same API calls for both tracers: implicit and explicit parents, a forced root,
// remote parents with a trace state, links, events, status, renames, ends twice and
// calls after the end.
std::vector<std::string> RunScript(TracerKind kind) {
  InMemoryTracing tracing(kind);
  auto tracer = GetTracer("script");
  {
    trace::StartSpanOptions server;
    server.kind = trace::SpanKind::kServer;
    server.parent =
        Remote("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", true, "vendor=abc");
    auto request = tracer->StartSpan(
        "GET /orders", {{"http.request.method", "GET"}, {"server.port", int64_t{8081}}}, server);
    trace::Scope scope(request);
    {
      auto query = tracer->StartSpan("SELECT orders", {{"db.system.name", "postgresql"}});
      query->SetAttribute("db.response.returned_rows", int64_t{20});
      query->SetAttribute("db.response.returned_rows", int64_t{21});  // replaced
      query->AddEvent("exception", {{"exception.type", "timeout"}, {"exception.message", "slow"}});
      query->SetStatus(trace::StatusCode::kError, "57014");
      query->End();
      query->End();                            // a second end changes nothing
      query->SetAttribute("after.end", true);  // ignored
      query->AddEvent("after end");            // ignored
    }
    trace::StartSpanOptions root;
    root.parent = opentelemetry::context::Context{trace::kIsRootSpanKey, true};
    tracer->StartSpan("forced root", root)->End();
    request->SetAttribute("http.response.status_code", int64_t{200});
    request->UpdateName("GET /orders/{id}");
    request->SetStatus(trace::StatusCode::kOk);
  }
  using Attributes = std::map<std::string, opentelemetry::common::AttributeValue>;
  const std::vector<std::pair<trace::SpanContext, Attributes>> links = {
      {Remote("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", true),
       Attributes{{"why", "batch"}}}};
  auto step = tracer->StartSpan("linked step", Attributes{{"k", 1}}, links);
  step->AddEvent("checkpoint");
  step->End();
  auto spans = tracing.TakeSpans();
  std::vector<std::string> described;
  for (const auto& span : spans) described.push_back(Describe(*span, spans));
  std::sort(described.begin(), described.end());
  return described;
}

TEST(DirectTracer, RecordsWhatTheSdkTracerRecords) {
  const auto sdk = RunScript(TracerKind::kSdk);
  const auto direct = RunScript(TracerKind::kDirect);
  ASSERT_EQ(sdk.size(), 4u);
  EXPECT_EQ(direct, sdk);
}

TEST(DirectTracer, ChildrenShareTheTraceAndPointAtTheirParent) {
  InMemoryTracing tracing(TracerKind::kDirect);
  auto tracer = GetTracer("test");
  auto parent = tracer->StartSpan("parent");
  trace::Scope scope(parent);
  auto child = tracer->StartSpan("child");
  EXPECT_EQ(child->GetContext().trace_id(), parent->GetContext().trace_id());
  EXPECT_NE(child->GetContext().span_id(), parent->GetContext().span_id());
  EXPECT_TRUE(child->GetContext().IsSampled());
  EXPECT_FALSE(child->GetContext().IsRemote());
  child->End();
  parent->End();
  const auto spans = tracing.TakeSpans();
  ASSERT_EQ(spans.size(), 2u);
  const auto* recorded = testing::FindSpan(spans, "child");
  ASSERT_NE(recorded, nullptr);
  EXPECT_EQ(recorded->GetParentSpanId(), parent->GetContext().span_id());
  EXPECT_FALSE(testing::FindSpan(spans, "parent")->GetParentSpanId().IsValid());
}

TEST(DirectTracer, TracersAreSharedPerScope) {
  InMemoryTracing tracing(TracerKind::kDirect);
  EXPECT_EQ(GetTracer("a").get(), GetTracer("a").get());
  EXPECT_NE(GetTracer("a").get(), GetTracer("b").get());
}

TEST(DirectTracer, ConcurrentCallsOnOneSpanAndManyThreadsLoseNothing) {
  InMemoryTracing tracing(TracerKind::kDirect);
  auto tracer = GetTracer("test");
  auto shared = tracer->StartSpan("shared");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {  // the in-memory exporter keeps 100 spans
        shared->SetAttribute("t" + std::to_string(t) + "." + std::to_string(i), int64_t{i});
        tracer->StartSpan("own")->End();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  shared->End();
  const auto spans = tracing.TakeSpans();
  EXPECT_EQ(spans.size(), 81u);
  EXPECT_EQ(testing::FindSpan(spans, "shared")->GetAttributes().size(), 80u);
}

TEST(DirectTracer, ASpanOutlivingItsProviderEndsQuietly) {
  nostd::shared_ptr<trace::Span> span;
  {
    InMemoryTracing tracing(TracerKind::kDirect);
    span = GetTracer("test")->StartSpan("late");
    EXPECT_TRUE(span->IsRecording());
  }
  span->SetAttribute("after", "shutdown");
  span->End();
  EXPECT_FALSE(span->IsRecording());
}

class DirectTracerSampling : public ::testing::TestWithParam<TracerKind> {};

// Both tracers: a sampled-out remote parent makes a non-recording child of the same
// trace (parentbased_always_on, the default), and always_off records nothing but still
// gives a valid context to propagate.
TEST_P(DirectTracerSampling, SampledOutSpansRecordNothingButCarryTheirContext) {
  for (const char* sampler : {"parentbased_always_on", "always_off"}) {
    SCOPED_TRACE(sampler);
    Settings settings;
    settings.resource = {{"service.name", "test"}, {"service.version", "1"}};
    settings.sampler.name = sampler;
    settings.tracer = GetParam();
    auto data = std::make_shared<opentelemetry::exporter::memory::InMemorySpanData>(16);
    auto telemetry = Telemetry::Start(
        settings, opentelemetry::exporter::memory::InMemorySpanExporterFactory::Create(data));
    trace::StartSpanOptions child;
    child.parent = Remote("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", false);
    auto span = GetTracer("test")->StartSpan("sampled out", child);
    EXPECT_FALSE(span->IsRecording());
    EXPECT_TRUE(span->GetContext().IsValid());
    EXPECT_FALSE(span->GetContext().IsSampled());
    EXPECT_EQ(Hex(span->GetContext().trace_id().Id()), "0af7651916cd43dd8448eb211c80319c");
    span->SetAttribute("ignored", 1);
    span->End();
    telemetry->Flush(std::chrono::seconds(5));
    EXPECT_TRUE(data->GetSpans().empty());
  }
}

INSTANTIATE_TEST_SUITE_P(BothTracers, DirectTracerSampling,
                         ::testing::Values(TracerKind::kDirect, TracerKind::kSdk));

}  // namespace
}  // namespace fabtrace::telemetry
