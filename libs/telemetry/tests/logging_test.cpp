#include "fabtrace/telemetry/logging.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

#include "fabtrace/telemetry/in_memory_tracing.h"
#include "fabtrace/telemetry/propagation.h"

namespace fabtrace::telemetry {
namespace {

TEST(Logging, LinesCarryTheActiveTraceAndSpan) {
  testing::InMemoryTracing tracing;
  std::ostringstream out;
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>(
      "capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(out)));
  SetUpLogging("shop-api");

  spdlog::info("outside any span");
  auto span = GetTracer("test")->StartSpan("handler");
  std::string trace_id, span_id;
  {
    auto scope = opentelemetry::trace::Tracer::WithActiveSpan(span);
    trace_id = CurrentTraceId();
    char id[16];
    span->GetContext().span_id().ToLowerBase16(id);
    span_id.assign(id, 16);
    spdlog::info("inside the span");
  }
  span->End();
  spdlog::set_default_logger(previous);

  const auto text = out.str();
  const auto inside = text.substr(text.find('\n') + 1);
  EXPECT_EQ(text.substr(0, text.find('\n')).find("trace_id="), std::string::npos);
  EXPECT_NE(inside.find(" info shop-api trace_id=" + trace_id + " span_id=" + span_id +
                        " inside the span"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace fabtrace::telemetry
