#include "fabtrace/telemetry/tracer.h"

#include <array>
#include <cstddef>
#include <string>

#include "fabtrace/telemetry/version.h"
#include "opentelemetry/trace/provider.h"

namespace fabtrace::telemetry {
namespace {

// The tracers this thread asked for, by the provider that made them: a span then costs
// no lookup under the provider's lock and no string building. An entry keeps its
// provider alive, so a replaced provider's address cannot come back as a new one's while
// it is cached; the next call after a replacement takes the new provider's tracer.
struct CachedTracer {
  opentelemetry::nostd::shared_ptr<opentelemetry::trace::TracerProvider> provider;
  std::string library;
  opentelemetry::nostd::shared_ptr<opentelemetry::trace::Tracer> tracer;
};
constexpr std::size_t kCachedTracers = 8;  // more libraries than this are looked up each time
thread_local std::array<CachedTracer, kCachedTracers> cached_tracers;

}  // namespace

opentelemetry::nostd::shared_ptr<opentelemetry::trace::Tracer> GetTracer(
    const std::string& library) {
  auto provider = opentelemetry::trace::Provider::GetTracerProvider();
  // Entries are filled in order, so the first empty one ends the search.
  CachedTracer* slot = nullptr;
  for (auto& cached : cached_tracers) {
    if (cached.library.empty() || cached.library == library) {
      if (!cached.library.empty() && cached.provider.get() == provider.get()) return cached.tracer;
      slot = &cached;  // free, or made by a replaced provider
      break;
    }
  }
  auto tracer = provider->GetTracer("fabtrace." + library, kVersion);
  if (slot != nullptr && !library.empty()) *slot = {std::move(provider), library, tracer};
  return tracer;
}

}  // namespace fabtrace::telemetry
