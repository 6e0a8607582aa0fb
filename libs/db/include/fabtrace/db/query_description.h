// What a SQL statement does, for span names and attributes: "SELECT orders".
#pragma once

#include <string>
#include <string_view>

namespace fabtrace::db {

struct QueryDescription {
  std::string operation;   // db.operation.name, e.g. "SELECT"
  std::string collection;  // db.collection.name, e.g. "orders" (empty when unknown)
  std::string summary;     // the span name: "SELECT orders", or the operation alone
};

// Reads the leading keyword and the first table named after FROM, INTO, UPDATE, TABLE
// or JOIN. Good enough for the straightforward statements services write. A service runs
// the same few statements all the time: their descriptions are remembered (up to 1,024
// distinct statements; others are read each time), so a query pays a hash lookup.
const QueryDescription& DescribeQuery(std::string_view sql);

}  // namespace fabtrace::db
