#include "fabtrace/db/query_description.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace fabtrace::db
