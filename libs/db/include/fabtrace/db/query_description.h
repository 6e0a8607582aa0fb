// What a SQL statement does, for span names and attributes: "SELECT orders".
#pragma once

#include <string>
#include <string_view>

namespace fabtrace::db {

struct QueryDescription {
  std::string operation;   // db.operation.name, e.g. "SELECT"
  std::string collection;  // db.collection.name, e.g. "orders" (empty when unknown)
};

// Reads the leading keyword and the first table named after FROM, INTO, UPDATE, TABLE
// or JOIN. Good enough for the straightforward statements services write.
QueryDescription DescribeQuery(std::string_view sql);

}  // namespace fabtrace::db
