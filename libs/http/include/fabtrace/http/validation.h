// Typed access to what a client sent: JSON body fields, path and query parameters. A
// value that is missing, of the wrong JSON type, out of range or too long is answered
// 400 with a message naming the field, never a 500 (and never an ERROR span).
#pragma once

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "fabtrace/http/message.h"

namespace fabtrace::http {

struct IntRange {
  std::int64_t min = std::numeric_limits<std::int64_t>::min();
  std::int64_t max = std::numeric_limits<std::int64_t>::max();
};

// A non-empty string of at most `max_length` bytes.
std::string RequiredString(const nlohmann::json& body, std::string_view field,
                           std::size_t max_length = 200);
std::optional<std::string> OptionalString(const nlohmann::json& body, std::string_view field,
                                          std::size_t max_length = 200);
// A JSON integer (not a string, not a fraction) within the range.
std::int64_t RequiredInt(const nlohmann::json& body, std::string_view field, IntRange range = {});
std::int64_t OptionalInt(const nlohmann::json& body, std::string_view field, std::int64_t fallback,
                         IntRange range = {});
bool RequiredBool(const nlohmann::json& body, std::string_view field);

// A positive integer id in the path, e.g. /orders/{id}.
std::int64_t PathId(const Request& request, const std::string& name);
// An integer query parameter (?limit=20) within the range, or the fallback when absent.
std::int64_t QueryInt(const Request& request, const std::string& name, std::int64_t fallback,
                      IntRange range);

// A query parameter that must be one of `allowed` (a status, a kind); nullopt when absent.
std::optional<std::string> QueryOneOf(const Request& request, const std::string& name,
                                      const std::vector<std::string>& allowed);
// A query parameter that must match `pattern` entirely, described to the client as
// `what` ("a date YYYY-MM-DD"); nullopt when absent.
std::optional<std::string> QueryMatching(const Request& request, const std::string& name,
                                         const std::regex& pattern, const std::string& what);

// ?limit=&offset= of a list: limit 1..max_limit (default_limit when absent), offset
// 0..1,000,000.
struct Page {
  std::int64_t limit = 0;
  std::int64_t offset = 0;
};
Page QueryPage(const Request& request, std::int64_t default_limit, std::int64_t max_limit);

}  // namespace fabtrace::http
