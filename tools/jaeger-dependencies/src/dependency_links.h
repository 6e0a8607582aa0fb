// Jaeger's System Architecture view on OpenSearch, from the service graph the gateways
// already compute. Jaeger reads the view from a "dependencies" index that its Spark job
// would fill from the stored spans; here the edges come instead from the servicegraph
// connector's counter in Prometheus (every span counted, before sampling), written as one
// document per UTC day, overwritten as the day goes on and stamped with the time of the
// write, so a query of any lookback up to now finds today's; a finished day's document is
// stamped with the day's start, as the dependencies job's, so it never doubles today's.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

namespace fabtrace::dependencies {

using Clock = std::chrono::system_clock;

// The PromQL query for the calls between each pair of services over the last `window`
// (a pair first seen within the window counts every call since it appeared).
std::string CallsQuery(std::chrono::seconds window);

// How far back today's document counts: since 00:00 UTC, at least one minute.
std::chrono::seconds SinceStartOfDay(Clock::time_point now);

// "2026-11-30" for the UTC day of `now`.
std::string DayOf(Clock::time_point now);

// The links of a Prometheus instant-query answer (`sum by (client, server)`) in Jaeger's
// format: [{"parent", "child", "callCount"}], rounded counts, sorted, without empty names,
// zero counts or self-calls. Throws std::invalid_argument on an answer of another shape.
nlohmann::json LinksFromPrometheus(const nlohmann::json& answer);

// Jaeger's dependencies document stamped `timestamp` (RFC 3339, UTC).
nlohmann::json DependenciesDocument(const std::string& timestamp, const nlohmann::json& links);

// "2026-11-30T10:30:15Z" for `now`.
std::string Rfc3339(Clock::time_point now);

}  // namespace fabtrace::dependencies
