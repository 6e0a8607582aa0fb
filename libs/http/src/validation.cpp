#include "fabtrace/http/validation.h"

#include <algorithm>
#include <charconv>

namespace fabtrace::http {
namespace {

using nlohmann::json;

[[noreturn]] void Invalid(std::string_view field, std::string_view what) {
  throw HttpError(400, "invalid_field", "'" + std::string(field) + "' " + std::string(what));
}

const json* Find(const json& body, std::string_view field) {
  const auto it = body.find(field);
  return it == body.end() || it->is_null() ? nullptr : &*it;
}

const json& Require(const json& body, std::string_view field, std::string_view expected) {
  const auto* value = Find(body, field);
  if (!value) {
    throw HttpError(400, "missing_field",
                    "'" + std::string(field) + "' (" + std::string(expected) + ") is required");
  }
  return *value;
}

std::string CheckString(const json& value, std::string_view field, std::size_t max_length) {
  if (!value.is_string()) Invalid(field, "must be a string");
  auto text = value.get<std::string>();
  if (text.empty()) Invalid(field, "must not be empty");
  if (text.size() > max_length)
    Invalid(field, "is too long (at most " + std::to_string(max_length) + " bytes)");
  return text;
}

std::int64_t CheckInt(const json& value, std::string_view field, IntRange range) {
  // Unsigned values above the int64 range and fractions are not acceptable integers.
  if (!value.is_number_integer() ||
      (value.is_number_unsigned() &&
       value.get<std::uint64_t>() > static_cast<std::uint64_t>(range.max))) {
    Invalid(field, "must be an integer from " + std::to_string(range.min) + " to " +
                       std::to_string(range.max));
  }
  const auto number = value.get<std::int64_t>();
  if (number < range.min || number > range.max) {
    Invalid(field, "must be an integer from " + std::to_string(range.min) + " to " +
                       std::to_string(range.max));
  }
  return number;
}

std::optional<std::int64_t> ParseDecimal(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::string RequiredString(const json& body, std::string_view field, std::size_t max_length) {
  return CheckString(Require(body, field, "a string"), field, max_length);
}

std::optional<std::string> OptionalString(const json& body, std::string_view field,
                                          std::size_t max_length) {
  const auto* value = Find(body, field);
  if (!value) return std::nullopt;
  return CheckString(*value, field, max_length);
}

std::int64_t RequiredInt(const json& body, std::string_view field, IntRange range) {
  return CheckInt(Require(body, field, "an integer"), field, range);
}

std::int64_t OptionalInt(const json& body, std::string_view field, std::int64_t fallback,
                         IntRange range) {
  const auto* value = Find(body, field);
  return value ? CheckInt(*value, field, range) : fallback;
}

bool RequiredBool(const json& body, std::string_view field) {
  const auto& value = Require(body, field, "true or false");
  if (!value.is_boolean()) Invalid(field, "must be true or false");
  return value.get<bool>();
}

std::int64_t PathId(const Request& request, const std::string& name) {
  const auto& text = request.param(name);
  const auto id = text.size() <= 18 && text.find_first_not_of("0123456789") == std::string::npos
                      ? ParseDecimal(text)
                      : std::nullopt;
  if (!id || *id <= 0) throw HttpError(400, "invalid_id", name + " must be a positive integer");
  return *id;
}

std::int64_t QueryInt(const Request& request, const std::string& name, std::int64_t fallback,
                      IntRange range) {
  const auto text = request.query_param(name);
  if (!text) return fallback;
  const auto value = ParseDecimal(*text);
  if (!value || *value < range.min || *value > range.max) {
    throw HttpError(400, "invalid_parameter",
                    "query parameter '" + name + "' must be an integer from " +
                        std::to_string(range.min) + " to " + std::to_string(range.max));
  }
  return *value;
}

std::optional<std::string> QueryOneOf(const Request& request, const std::string& name,
                                      const std::vector<std::string>& allowed) {
  auto value = request.query_param(name);
  if (value && std::find(allowed.begin(), allowed.end(), *value) == allowed.end()) {
    std::string list;
    for (const auto& item : allowed) list += (list.empty() ? "" : ", ") + item;
    throw HttpError(400, "invalid_parameter",
                    "query parameter '" + name + "' must be one of " + list);
  }
  return value;
}

std::optional<std::string> QueryMatching(const Request& request, const std::string& name,
                                         const std::regex& pattern, const std::string& what) {
  auto value = request.query_param(name);
  if (value && (value->size() > 200 || !std::regex_match(*value, pattern)))
    throw HttpError(400, "invalid_parameter", "query parameter '" + name + "' must be " + what);
  return value;
}

Page QueryPage(const Request& request, std::int64_t default_limit, std::int64_t max_limit) {
  return {QueryInt(request, "limit", default_limit, {1, max_limit}),
          QueryInt(request, "offset", 0, {0, 1'000'000})};
}

}  // namespace fabtrace::http
