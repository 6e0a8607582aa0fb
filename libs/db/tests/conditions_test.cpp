#include "fabtrace/db/conditions.h"

#include <gtest/gtest.h>

namespace fabtrace::db {
namespace {

TEST(Conditions, NothingAddedMatchesEverything) {
  Conditions where;
  EXPECT_EQ(where.Sql(), "TRUE");
  EXPECT_TRUE(where.params().empty());
}

TEST(Conditions, ValuesBecomeNumberedParameters) {
  Conditions where;
  where.Add("o.status = {}", "NEW").Add("o.created_at < {}::date + 1", "2026-01-31");
  EXPECT_EQ(where.Sql(), "o.status = $1 AND o.created_at < $2::date + 1");
  ASSERT_EQ(where.params().size(), 2u);
  EXPECT_EQ(*where.params()[1], "2026-01-31");
}

TEST(Conditions, ValuesNeverReachTheSql) {
  Conditions where;
  where.Add("name = {}", "x'; DROP TABLE orders; --");
  EXPECT_EQ(where.Sql(), "name = $1");
}

TEST(Conditions, AnExpressionNeedsExactlyOnePlaceholder) {
  Conditions where;
  EXPECT_THROW(where.Add("status = 'NEW'", "x"), std::invalid_argument);
  EXPECT_THROW(where.Add("a = {} OR b = {}", "x"), std::invalid_argument);
}

TEST(Conditions, PageSqlFiltersOrdersAndPages) {
  Conditions where;
  EXPECT_EQ(where.PageSql("id DESC", 50, 0), " WHERE TRUE ORDER BY id DESC LIMIT 50 OFFSET 0");
  where.Add("status = {}", "NEW");
  EXPECT_EQ(where.PageSql("o.id DESC", 20, 40),
            " WHERE status = $1 ORDER BY o.id DESC LIMIT 20 OFFSET 40");
}

}  // namespace
}  // namespace fabtrace::db
