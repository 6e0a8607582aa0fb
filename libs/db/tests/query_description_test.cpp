#include "fabtrace/db/query_description.h"

#include <gtest/gtest.h>

#include <string>

namespace fabtrace::db {
namespace {

void Expect(const char* sql, const char* operation, const char* collection) {
  const auto description = DescribeQuery(sql);
  EXPECT_EQ(description.operation, operation) << sql;
  EXPECT_EQ(description.collection, collection) << sql;
}

TEST(DescribeQuery, CommonStatements) {
  Expect("SELECT id, status FROM orders WHERE customer_id = $1", "SELECT", "orders");
  Expect("select * from shop.orders o join customers c on c.id = o.customer_id", "SELECT",
         "shop.orders");
  Expect("INSERT INTO order_events (order_id, status) VALUES ($1, $2)", "INSERT", "order_events");
  Expect("UPDATE orders SET status = $2 WHERE id = $1", "UPDATE", "orders");
  Expect("DELETE FROM sessions WHERE token_hash = $1", "DELETE", "sessions");
  Expect("CREATE TABLE IF NOT EXISTS materials (id text)", "CREATE", "materials");
  Expect("SELECT 1", "SELECT", "");
  Expect("BEGIN", "BEGIN", "");
  Expect("  \n", "", "");
  Expect(R"(SELECT * FROM "Orders")", "SELECT", "Orders");
}

TEST(DescribeQuery, SummaryIsTheSpanName) {
  EXPECT_EQ(DescribeQuery("SELECT id FROM materials ORDER BY id").summary, "SELECT materials");
  EXPECT_EQ(DescribeQuery("COMMIT").summary, "COMMIT");
}

TEST(DescribeQuery, AStatementIsReadOnceAndRemembered) {
  const std::string sql = "SELECT total FROM quotes WHERE id = $1";
  const auto& first = DescribeQuery(sql);
  const auto& again = DescribeQuery(std::string(sql));  // another string, the same text
  EXPECT_EQ(&first, &again);
  EXPECT_EQ(again.summary, "SELECT quotes");
}

TEST(DescribeQuery, StatementsBeyondWhatIsRememberedAreStillDescribed) {
  for (int i = 0; i < 1500; ++i) {
    const auto table = "table_" + std::to_string(i);
    const auto& description = DescribeQuery("SELECT * FROM " + table);
    EXPECT_EQ(description.collection, table);
  }
}

}  // namespace
}  // namespace fabtrace::db
