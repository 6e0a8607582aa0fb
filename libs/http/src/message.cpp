#include "fabtrace/http/message.h"

#include <algorithm>
#include <cctype>

namespace fabtrace::http {

bool CaseInsensitiveLess::operator()(std::string_view a, std::string_view b) const {
  // Header names are ASCII: folding A-Z is enough (std::tolower consults the locale).
  const auto fold = [](char c) {
    return static_cast<unsigned char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
  };
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                      [&fold](char x, char y) { return fold(x) < fold(y); });
}

std::optional<std::string_view> Request::header(std::string_view name) const {
  auto it = headers.find(name);
  if (it == headers.end()) return std::nullopt;
  return std::string_view(it->second);
}

std::optional<std::string> Request::query_param(const std::string& name) const {
  auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  return it->second;
}

const std::string& Request::param(const std::string& name) const {
  auto it = path_params.find(name);
  if (it == path_params.end()) throw std::out_of_range("no path parameter " + name);
  return it->second;
}

nlohmann::json Request::json() const {
  auto parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded())
    throw HttpError(400, "invalid_json", "the request body is not valid JSON");
  if (!parsed.is_object())
    throw HttpError(400, "invalid_json", "the request body must be a JSON object");
  return parsed;
}

Response Response::Json(int status, const nlohmann::json& body) {
  Response response;
  response.status = status;
  // Text that is not UTF-8 (it can come from stored data) is replaced, not fatal.
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

Response Response::Text(int status, std::string body, std::string content_type) {
  Response response;
  response.status = status;
  response.body = std::move(body);
  response.content_type = std::move(content_type);
  return response;
}

Response Response::NoContent() {
  Response response;
  response.status = 204;
  response.content_type.clear();
  return response;
}

nlohmann::json ErrorBody(std::string_view code, std::string_view message,
                         std::string_view support_code) {
  return {{"error", {{"code", code}, {"message", message}, {"support_code", support_code}}}};
}

}  // namespace fabtrace::http
