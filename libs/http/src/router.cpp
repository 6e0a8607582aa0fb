#include "fabtrace/http/router.h"

#include <stdexcept>

namespace fabtrace::http {
namespace {

std::vector<std::string> Split(const std::string& path) {
  std::vector<std::string> segments;
  std::size_t start = 1;
  while (start <= path.size()) {
    const auto slash = path.find('/', start);
    const auto end = slash == std::string::npos ? path.size() : slash;
    segments.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return segments;
}

bool IsParam(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

bool Matches(const std::vector<std::string>& pattern, const std::vector<std::string>& path,
             std::map<std::string, std::string>* params) {
  if (pattern.size() != path.size()) return false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (IsParam(pattern[i])) {
      if (path[i].empty()) return false;
      if (params) (*params)[pattern[i].substr(1, pattern[i].size() - 2)] = path[i];
    } else if (pattern[i] != path[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

Router& Router::Add(std::string method, std::string route, Handler handler) {
  if (route.empty() || route.front() != '/')
    throw std::invalid_argument("route must start with /: " + route);
  for (const auto& segment : Split(route)) {
    if (segment.find_first_of("{}") != std::string::npos && !IsParam(segment)) {
      throw std::invalid_argument("malformed route segment in " + route);
    }
  }
  auto segments = Split(route);
  entries_.push_back(
      {std::move(method), std::move(route), std::move(segments), std::move(handler)});
  return *this;
}

std::optional<Router::Match> Router::Find(const std::string& method,
                                          const std::string& path) const {
  if (path.empty() || path.front() != '/') return std::nullopt;
  const auto segments = Split(path);
  std::optional<Match> found;
  for (const auto& entry : entries_) {
    Match candidate;
    if (!Matches(entry.segments, segments, &candidate.params)) continue;
    if (!found) found = Match{};
    found->allowed_methods.push_back(entry.method);
    if (found->route.empty()) found->route = entry.route;
    if (entry.method == method && !found->handler) {
      found->handler = &entry.handler;
      found->route = entry.route;
      found->params = std::move(candidate.params);
    }
  }
  return found;
}

}  // namespace fabtrace::http
