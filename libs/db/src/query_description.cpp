#include "fabtrace/db/query_description.h"

#include <cctype>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
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

QueryDescription Describe(std::string_view sql) {
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
  description.summary = description.collection.empty()
                            ? description.operation
                            : description.operation + " " + description.collection;
  return description;
}

struct TextHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const {
    return std::hash<std::string_view>{}(text);
  }
};

}  // namespace

const QueryDescription& DescribeQuery(std::string_view sql) {
  constexpr std::size_t kRemembered = 1024;
  static std::shared_mutex mutex;
  static std::unordered_map<std::string, QueryDescription, TextHash, std::equal_to<>> known;
  {
    const std::shared_lock lock(mutex);
    if (const auto it = known.find(sql); it != known.end()) return it->second;
  }
  const std::unique_lock lock(mutex);
  if (known.size() < kRemembered) {
    // Entries are never removed, so the reference stays valid for the life of the process.
    return known.try_emplace(std::string(sql), Describe(sql)).first->second;
  }
  thread_local QueryDescription unremembered;
  unremembered = Describe(sql);
  return unremembered;
}

}  // namespace fabtrace::db
