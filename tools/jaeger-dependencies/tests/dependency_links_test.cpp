#include "dependency_links.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace fabtrace::dependencies {
namespace {

using nlohmann::json;
using std::chrono::seconds;

Clock::time_point At(const char* utc) {
  std::tm tm{};
  strptime(utc, "%Y-%m-%dT%H:%M:%S", &tm);
  return Clock::from_time_t(timegm(&tm));
}

json Answer(json result) {
  return {{"status", "success"}, {"data", {{"resultType", "vector"}, {"result", result}}}};
}

json Sample(const char* client, const char* server, const char* value) {
  return {{"metric", {{"client", client}, {"server", server}}}, {"value", {1764460800.0, value}}};
}

TEST(DependencyLinks, CountsTheCallsSinceMidnightUtcAndAtLeastAMinute) {
  EXPECT_EQ(SinceStartOfDay(At("2026-11-30T10:30:15")), seconds(37815));
  EXPECT_EQ(SinceStartOfDay(At("2026-11-30T00:00:10")), seconds(60));
  EXPECT_EQ(
      CallsQuery(seconds(37815)),
      "sum by (client, server) ((increase(traces_service_graph_request_total[37815s]) and "
      "traces_service_graph_request_total offset 37815s) or traces_service_graph_request_total)");
}

TEST(DependencyLinks, NamesTheUtcDay) {
  EXPECT_EQ(DayOf(At("2026-11-30T23:59:59")), "2026-11-30");
  EXPECT_EQ(DayOf(At("2026-12-01T00:00:00")), "2026-12-01");
}

TEST(DependencyLinks, TurnsSamplesIntoSortedRoundedLinks) {
  const auto links = LinksFromPrometheus(Answer(
      {Sample("shop-api", "crm-api", "2.6"), Sample("internet-shop", "shop-api", "41.0004")}));
  EXPECT_EQ(links, json::parse(R"([{"parent":"internet-shop","child":"shop-api","callCount":41},
                                   {"parent":"shop-api","child":"crm-api","callCount":3}])"));
}

TEST(DependencyLinks, LeavesOutEmptyNamesZeroCountsAndSelfCalls) {
  const auto links = LinksFromPrometheus(
      Answer({Sample("", "shop-api", "5"), Sample("crm", "", "5"), Sample("crm", "crm-api", "0.2"),
              Sample("crm-api", "crm-api", "9"), Sample("mes", "mes-api", "NaN")}));
  EXPECT_EQ(links, json::array());
}

TEST(DependencyLinks, RefusesAnswersOfAnotherShape) {
  EXPECT_THROW(LinksFromPrometheus(json{{"status", "error"}, {"error", "bad query"}}),
               std::invalid_argument);
  EXPECT_THROW(
      LinksFromPrometheus(json{{"status", "success"},
                               {"data", {{"resultType", "matrix"}, {"result", json::array()}}}}),
      std::invalid_argument);
  EXPECT_THROW(
      LinksFromPrometheus(Answer({{{"metric", {{"client", "a"}, {"server", "b"}}}, {"value", 3}}})),
      std::invalid_argument);
}

TEST(DependencyLinks, StampsTheDocument) {
  const auto links = json::array({{{"parent", "a"}, {"child", "b"}, {"callCount", 1}}});
  EXPECT_EQ(Rfc3339(At("2026-11-30T10:30:15")), "2026-11-30T10:30:15Z");
  EXPECT_EQ(DependenciesDocument("2026-11-30T10:30:15Z", links),
            json({{"timestamp", "2026-11-30T10:30:15Z"}, {"dependencies", links}}));
}

}  // namespace
}  // namespace fabtrace::dependencies
