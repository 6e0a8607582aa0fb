// A WHERE clause built from optional filters, with every value a bound parameter (never
// spliced into the SQL): Add("o.status = {}", status) adds "o.status = $1".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fabtrace/db/postgres.h"

namespace fabtrace::db {

class Conditions {
 public:
  // `expression` holds one "{}" where the value's placeholder goes.
  Conditions& Add(const std::string& expression, std::string value);
  // "TRUE" when nothing was added, else the conditions joined with AND.
  std::string Sql() const;
  // One page of a listing: " WHERE <Sql()> ORDER BY <order_by> LIMIT <limit> OFFSET <offset>".
  std::string PageSql(const std::string& order_by, std::int64_t limit, std::int64_t offset) const;
  // The rows of one page of a listing: `select_from` ("SELECT <columns> FROM <tables>")
  // with these conditions, ordered by `order_by`.
  Result SelectPage(PgPool& db, const std::string& select_from, const std::string& order_by,
                    std::int64_t limit, std::int64_t offset) const;
  // The parameters, for Execute; `extra` more may follow as $<params().size() + 1>...
  const std::vector<Param>& params() const { return params_; }

 private:
  std::string sql_;
  std::vector<Param> params_;
};

}  // namespace fabtrace::db
