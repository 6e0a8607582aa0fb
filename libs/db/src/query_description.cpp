#include "fabtrace/db/query_description.h"

#include <cctype>
#include <vector>

namespace fabtrace::db {
namespace {

std::vector<std::string> Words(std::string_view sql, std::size_t limit) {
  std::vector<std::string> words;
  std::string current;
  for (char c : sql) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '"') {
      current.push_back(c);
    } else if (!current.empty()) {
      words.push_back(current);
      current.clear();
      if (words.size() >= limit) break;
    }
  }
  if (!current.empty() && words.size() < limit) words.push_back(current);
  return words;
}

std::string Upper(std::string word) {
  for (auto& c : word) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return word;
}

std::string Unquote(std::string name) {
  std::string out;
  for (char c : name) {
    if (c != '"') out.push_back(c);
  }
  return out;
}

}  // namespace

QueryDescription DescribeQuery(std::string_view sql) {
  QueryDescription description;
  const auto words = Words(sql, 64);
  if (words.empty()) return description;
  description.operation = Upper(words[0]);
  for (std::size_t i = 0; i + 1 < words.size(); ++i) {
    const auto keyword = Upper(words[i]);
    if (keyword == "FROM" || keyword == "INTO" || keyword == "UPDATE" || keyword == "TABLE" ||
        keyword == "JOIN") {
      auto name = words[i + 1];
      const auto upper = Upper(name);
      if (upper == "IF" || upper == "ONLY" || upper == "NOT" || upper == "EXISTS") {
        for (std::size_t j = i + 2; j < words.size(); ++j) {
          const auto next = Upper(words[j]);
          if (next != "IF" && next != "NOT" && next != "EXISTS" && next != "ONLY") {
            name = words[j];
            break;
          }
        }
      }
      description.collection = Unquote(name);
      break;
    }
  }
  return description;
}

}  // namespace fabtrace::db
