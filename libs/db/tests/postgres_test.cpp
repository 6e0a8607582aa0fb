// PostgreSQL through its toxiproxy proxy: real answers, real SQLSTATEs, real hangs and
// outages. Runs inside ./fabtrace test.
#include "fabtrace/db/postgres.h"

#include <gtest/gtest.h>

#include <thread>

#include "fabtrace/db/conditions.h"
#include "fabtrace/telemetry/in_memory_tracing.h"
#include "fabtrace/testing/landscape.h"

namespace fabtrace::db {
namespace {

using telemetry::testing::FindSpan;
using telemetry::testing::IntAttribute;
using telemetry::testing::StringAttribute;
namespace trace = opentelemetry::trace;

PgOptions ShopDb() {
  PgOptions options;
  options.port = testing::LandscapePort("POSTGRES_PROXY");
  options.database = "shopdb";
  options.user = testing::Landscape("SHOPDB_USER");
  options.password = testing::Landscape("SHOPDB_PASSWORD");
  options.application_name = "db_tests";
  options.connect_timeout = std::chrono::milliseconds(1000);
  options.statement_timeout = std::chrono::milliseconds(500);
  options.pool_size = 2;
  return options;
}

class Postgres : public ::testing::Test {
 protected:
  void SetUp() override { FABTRACE_REQUIRE_LANDSCAPE(); }
  telemetry::testing::InMemoryTracing tracing;
};

TEST_F(Postgres, SelectPageReadsOnePageOfTheFilteredRowsAndMapMakesEachRowAValue) {
  PgPool pool(ShopDb());
  const auto rows_of = [](const Result& rows, std::size_t row) {
    return std::stoi(rows.text(row, "n"));
  };
  const std::string select = "SELECT n FROM generate_series(1, 10) AS n";
  Conditions odd;
  odd.Add("n % 2 = {}", "1");
  EXPECT_EQ(odd.SelectPage(pool, select, "n DESC", 2, 1).Map(rows_of), (std::vector{7, 5}));
  EXPECT_EQ(Conditions().SelectPage(pool, select, "n", 3, 8).Map(rows_of), (std::vector{9, 10}));
  Conditions none;
  none.Add("n > {}", "10");
  EXPECT_TRUE(none.SelectPage(pool, select, "n", 5, 0).Map(rows_of).empty());
}

TEST_F(Postgres, QuerySpanHasTheConventionsAndTheTraceparentReachesTheServer) {
  PgPool pool(ShopDb());
  auto parent = telemetry::GetTracer("test")->StartSpan("request");
  std::string seen_by_server;
  {
    trace::Scope scope(parent);
    pool.Execute("CREATE TABLE IF NOT EXISTS db_test_items (id int primary key, name text)");
    pool.Execute(
        "INSERT INTO db_test_items VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET name = $2",
        {"1", std::string("first")});
    const auto result =
        pool.Execute("SELECT name, NULL::text AS nothing FROM db_test_items WHERE id = $1", {"1"});
    ASSERT_EQ(result.size(), 1u);
    EXPECT_EQ(result.text(0, "name"), "first");
    EXPECT_FALSE(result.at(0, "nothing").has_value());
    seen_by_server = pool.Execute("SELECT query FROM pg_stat_activity WHERE pid = pg_backend_pid()")
                         .text(0, "query");
  }
  parent->End();
  const auto spans = tracing.TakeSpans();
  const auto* select = FindSpan(spans, "SELECT db_test_items");
  ASSERT_NE(select, nullptr);
  EXPECT_EQ(select->GetSpanKind(), trace::SpanKind::kClient);
  EXPECT_EQ(StringAttribute(*select, "db.system.name"), "postgresql");
  EXPECT_EQ(StringAttribute(*select, "db.namespace"), "shopdb|public");
  EXPECT_EQ(StringAttribute(*select, "db.operation.name"), "SELECT");
  EXPECT_EQ(StringAttribute(*select, "db.collection.name"), "db_test_items");
  EXPECT_EQ(StringAttribute(*select, "db.query.text"),
            "SELECT name, NULL::text AS nothing FROM db_test_items WHERE id = $1");
  EXPECT_EQ(StringAttribute(*select, "server.address"), "127.0.0.1");
  EXPECT_EQ(IntAttribute(*select, "server.port"), testing::LandscapePort("POSTGRES_PROXY"));
  EXPECT_EQ(select->GetStatus(), trace::StatusCode::kUnset);
  const auto* request = FindSpan(spans, "request");
  ASSERT_NE(request, nullptr);
  EXPECT_EQ(select->GetParentSpanId(), request->GetSpanId());
  char trace_id[32];
  request->GetTraceId().ToLowerBase16(trace_id);
  EXPECT_NE(seen_by_server.find("traceparent='00-" + std::string(trace_id, 32)), std::string::npos);
  // Parameter values never reach the span.
  const auto* insert = FindSpan(spans, "INSERT db_test_items");
  ASSERT_NE(insert, nullptr);
  EXPECT_EQ(StringAttribute(*insert, "db.query.text")->find("first"), std::string::npos);
}

// The comment is built in a buffer the thread keeps: a statement longer than what it keeps
// (a migration) and the short ones after it each reach the server with their own text.
TEST_F(Postgres, StatementsLongAndShortReachTheServerWithTheirOwnTraceparent) {
  PgPool pool(ShopDb());
  auto parent = telemetry::GetTracer("test")->StartSpan("request");
  std::string seen_by_server;
  {
    trace::Scope scope(parent);
    const std::string long_text(20000, 'x');
    const auto long_result = pool.Execute("SELECT '" + long_text + "' AS long_text");
    EXPECT_EQ(long_result.text(0, "long_text"), long_text);
    EXPECT_EQ(pool.Execute("SELECT 2 AS two").text(0, "two"), "2");
    seen_by_server = pool.Execute("SELECT query FROM pg_stat_activity WHERE pid = pg_backend_pid()")
                         .text(0, "query");
  }
  parent->End();
  char trace_id[32];
  parent->GetContext().trace_id().ToLowerBase16(trace_id);
  EXPECT_EQ(seen_by_server.rfind("SELECT query FROM pg_stat_activity", 0), 0u) << seen_by_server;
  EXPECT_NE(seen_by_server.find(" /*traceparent='00-" + std::string(trace_id, 32)),
            std::string::npos)
      << seen_by_server;
  EXPECT_EQ(seen_by_server.substr(seen_by_server.size() - 3), "'*/") << seen_by_server;
  EXPECT_EQ(seen_by_server.find('x'), std::string::npos) << "nothing of the long statement";
}

TEST_F(Postgres, ServerErrorIsRecordedWithItsSqlstate) {
  PgPool pool(ShopDb());
  try {
    pool.Execute("SELECT * FROM no_such_table");
    FAIL() << "expected an error";
  } catch (const DbError& error) {
    EXPECT_EQ(error.error_type(), "42P01");
    EXPECT_EQ(error.dependency(), "shopdb");  // answers name the database
    EXPECT_EQ(error.kind(), DependencyError::Kind::kRefused);
  }
  try {
    pool.Transaction([](PgConnection& connection) {
      connection.Execute("SET TRANSACTION READ ONLY");
      connection.Execute("CREATE TABLE db_test_never (id int)");
    });
    FAIL() << "expected an error";
  } catch (const DbError& error) {
    EXPECT_EQ(error.sqlstate(), "25006");
  }
  const auto spans = tracing.TakeSpans();
  const auto* failed = FindSpan(spans, "SELECT no_such_table");
  ASSERT_NE(failed, nullptr);
  EXPECT_EQ(failed->GetStatus(), trace::StatusCode::kError);
  EXPECT_EQ(StringAttribute(*failed, "error.type"), "42P01");
  EXPECT_EQ(StringAttribute(*failed, "db.response.status_code"), "42P01");
  const auto* read_only = FindSpan(spans, "CREATE db_test_never");
  ASSERT_NE(read_only, nullptr);
  EXPECT_EQ(StringAttribute(*read_only, "error.type"), "25006");
  EXPECT_EQ(pool.Execute("SELECT 2 AS two").text(0, "two"), "2");  // the pool keeps serving
}

TEST_F(Postgres, HangEndsAtTheStatementTimeoutAndRecovers) {
  PgPool pool(ShopDb());
  pool.Execute("SELECT 1");  // a pooled connection exists before the fault
  testing::FaultGuard heal("postgres");
  testing::Toxiproxy().Hang("postgres");
  const auto started = std::chrono::steady_clock::now();
  try {
    pool.Execute("SELECT pg_sleep(0)");
    FAIL() << "expected a timeout";
  } catch (const DbError& error) {
    EXPECT_EQ(error.error_type(), "timeout");
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(1500));
  testing::Toxiproxy().Heal("postgres");
  EXPECT_EQ(pool.Execute("SELECT 3 AS three").text(0, "three"), "3");

  const auto spans = tracing.TakeSpans();
  const telemetry::testing::SpanData* hung = nullptr;
  for (const auto& span : spans) {
    if (StringAttribute(*span, "db.query.text") == "SELECT pg_sleep(0)") hung = span.get();
  }
  ASSERT_NE(hung, nullptr);
  EXPECT_EQ(StringAttribute(*hung, "error.type"), "timeout");
  EXPECT_GE(hung->GetDuration(), std::chrono::milliseconds(480));
  EXPECT_LT(hung->GetDuration(), std::chrono::milliseconds(1200));
}

TEST_F(Postgres, OutageIsConnectionRefusedAndTheDatabaseIsUsedAgainAfterwards) {
  PgPool pool(ShopDb());
  pool.Execute("SELECT 1");
  testing::FaultGuard heal("postgres");
  testing::Toxiproxy().SetEnabled("postgres", false);
  // The pooled connection was cut: it is noticed before use, and a new one is refused.
  try {
    pool.Execute("SELECT 1");
    FAIL() << "expected an error";
  } catch (const DbError& error) {
    EXPECT_EQ(error.error_type(), "connection_refused");
    EXPECT_EQ(error.kind(), DependencyError::Kind::kUnavailable);
  }
  testing::Toxiproxy().SetEnabled("postgres", true);
  EXPECT_EQ(pool.Execute("SELECT 4 AS four").text(0, "four"), "4");

  const auto spans = tracing.TakeSpans();
  bool refused_seen = false;
  for (const auto& span : spans) {
    if (StringAttribute(*span, "error.type") == "connection_refused") {
      refused_seen = true;
      EXPECT_EQ(std::string(span->GetName()), "connect shopdb");
      EXPECT_EQ(StringAttribute(*span, "db.system.name"), "postgresql");
      EXPECT_EQ(span->GetStatus(), trace::StatusCode::kError);
    }
  }
  EXPECT_TRUE(refused_seen);
}

TEST_F(Postgres, ConnectionsCutWhileIdleAreReplacedTransparently) {
  PgPool pool(ShopDb());
  pool.Execute("SELECT 1");
  {
    testing::FaultGuard heal("postgres");
    testing::Toxiproxy().SetEnabled("postgres", false);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(pool.Execute("SELECT 5 AS five").text(0, "five"), "5");  // no error reaches the caller
}

TEST_F(Postgres, AWarmedPoolServesConcurrentRequestsWithoutConnecting) {
  auto options = ShopDb();
  options.pool_size = 3;
  options.warm_connections = 5;  // capped at the pool's size
  PgPool pool(options);
  EXPECT_EQ(pool.Warm(), 3u);
  EXPECT_EQ(pool.Warm(), 3u);                 // already warm: nothing more is opened
  EXPECT_EQ(tracing.TakeSpans().size(), 3u);  // one connect span per connection

  std::vector<std::thread> requests;
  for (int i = 0; i < 3; ++i) {
    requests.emplace_back([&pool] { pool.Execute("SELECT pg_sleep(0.2)"); });
  }
  for (auto& request : requests) request.join();
  const auto spans = tracing.TakeSpans();
  EXPECT_EQ(spans.size(), 3u);
  EXPECT_EQ(FindSpan(spans, "connect shopdb"), nullptr) << "a request had to connect";
}

TEST_F(Postgres, WarmingAnUnreachableDatabaseStopsQuietlyAndRequestsConnectLater) {
  PgPool pool(ShopDb());
  {
    testing::FaultGuard heal("postgres");
    testing::Toxiproxy().SetEnabled("postgres", false);
    EXPECT_EQ(pool.Warm(), 0u);
  }
  EXPECT_EQ(pool.Execute("SELECT 6 AS six").text(0, "six"), "6");
}

}  // namespace
}  // namespace fabtrace::db
