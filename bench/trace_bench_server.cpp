// A service with trivial routes, for measuring what tracing costs the request path.
// Tracing follows the standard environment (OTEL_SDK_DISABLED, OTEL_EXPORTER_OTLP_*).
//
//   GET /ping   answers at once (one server span)
//   GET /work   opens three child spans, as a handler calling dependencies would
#include <cstdlib>

#include "fabtrace/http/server.h"
#include "fabtrace/telemetry/logging.h"
#include "fabtrace/telemetry/telemetry.h"

int main() {
  using namespace fabtrace;
  telemetry::SetUpLogging("bench-server");
  auto tracing = telemetry::Telemetry::Start("bench-server", "1.0.0");

  http::Router router;
  router.Get("/ping", [](http::Request&) { return http::Response::Json(200, {{"ok", true}}); });
  router.Get("/work", [](http::Request&) {
    auto tracer = telemetry::GetTracer("bench");
    for (int i = 0; i < 3; ++i) {
      auto span = tracer->StartSpan("step");
      span->SetAttribute("bench.step", static_cast<int64_t>(i));
      span->End();
    }
    return http::Response::Json(200, {{"ok", true}});
  });

  http::ServerOptions options;
  const char* port = std::getenv("PORT");
  options.port = port ? std::atoi(port) : 0;
  options.worker_threads = 16;
  options.max_in_flight = 14;
  http::Server server(options, std::move(router));
  server.SetExportStats(&tracing->stats());
  server.Start();
  server.RunUntilSignal(std::chrono::milliseconds(0));
  return 0;
}
