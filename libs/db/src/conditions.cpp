#include "fabtrace/db/conditions.h"

#include <stdexcept>

namespace fabtrace::db {

Conditions& Conditions::Add(const std::string& expression, std::string value) {
  const auto marker = expression.find("{}");
  if (marker == std::string::npos || expression.find("{}", marker + 2) != std::string::npos)
    throw std::invalid_argument("a condition needs exactly one {} for its value: " + expression);
  params_.emplace_back(std::move(value));
  if (!sql_.empty()) sql_ += " AND ";
  sql_ += expression.substr(0, marker) + "$" + std::to_string(params_.size()) +
          expression.substr(marker + 2);
  return *this;
}

std::string Conditions::Sql() const { return sql_.empty() ? "TRUE" : sql_; }

std::string Conditions::PageSql(const std::string& order_by, std::int64_t limit,
                                std::int64_t offset) const {
  return " WHERE " + Sql() + " ORDER BY " + order_by + " LIMIT " + std::to_string(limit) +
         " OFFSET " + std::to_string(offset);
}

Result Conditions::SelectPage(PgPool& db, const std::string& select_from,
                              const std::string& order_by, std::int64_t limit,
                              std::int64_t offset) const {
  return db.Execute(select_from + PageSql(order_by, limit, offset), params_);
}

}  // namespace fabtrace::db
