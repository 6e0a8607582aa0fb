#include "fabtrace/telemetry/linked_step.h"

#include <map>
#include <utility>
#include <vector>

#include "fabtrace/telemetry/propagation.h"
#include "fabtrace/telemetry/tracer.h"
#include "opentelemetry/trace/context.h"

namespace trace = opentelemetry::trace;

namespace fabtrace::telemetry {
namespace {

opentelemetry::nostd::shared_ptr<trace::Span> StartStep(const std::string& name,
                                                        const std::string& origin) {
  const auto current = CurrentSpan();
  const auto linked =
      trace::GetSpan(ExtractContext(
                         [&origin](std::string_view header) -> std::optional<std::string_view> {
                           if (header != "traceparent") return std::nullopt;
                           return std::string_view(origin);
                         },
                         opentelemetry::context::Context{}))
          ->GetContext();
  trace::StartSpanOptions options;
  options.kind = trace::SpanKind::kInternal;
  auto tracer = GetTracer("service");
  if (!linked.IsValid() || linked.trace_id() == current->GetContext().trace_id())
    return tracer->StartSpan(name, options);
  using Attributes = std::map<std::string, opentelemetry::common::AttributeValue>;
  const std::vector<std::pair<trace::SpanContext, Attributes>> links = {
      {linked, Attributes{{"link.reason", "continues"}}}};
  return tracer->StartSpan(name, Attributes{}, links, options);
}

}  // namespace

LinkedStep::LinkedStep(const std::string& name, const std::string& origin_traceparent)
    : span_(StartStep(name, origin_traceparent)), active_(span_) {}

LinkedStep::~LinkedStep() { span_->End(); }

}  // namespace fabtrace::telemetry
