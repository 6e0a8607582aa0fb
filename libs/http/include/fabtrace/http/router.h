// Routing by templates such as "/orders/{id}/items/{item}"; the matched template
// becomes the span name and http.route, so every service names its spans alike.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fabtrace/http/message.h"

namespace fabtrace::http {

using Handler = std::function<Response(Request&)>;

class Router {
 public:
  // Registers a handler; throws std::invalid_argument for a malformed template.
  Router& Add(std::string method, std::string route, Handler handler);
  Router& Get(std::string route, Handler handler) {
    return Add("GET", std::move(route), std::move(handler));
  }
  Router& Post(std::string route, Handler handler) {
    return Add("POST", std::move(route), std::move(handler));
  }
  Router& Put(std::string route, Handler handler) {
    return Add("PUT", std::move(route), std::move(handler));
  }
  Router& Delete(std::string route, Handler handler) {
    return Add("DELETE", std::move(route), std::move(handler));
  }

  struct Match {
    const Handler* handler = nullptr;  // null: path known but method not allowed
    std::string route;
    std::map<std::string, std::string> params;
    std::vector<std::string> allowed_methods;
  };
  // The route for method and path; nothing when no template matches the path.
  std::optional<Match> Find(const std::string& method, const std::string& path) const;

 private:
  struct Entry {
    std::string method, route;
    std::vector<std::string> segments;
    Handler handler;
  };
  std::vector<Entry> entries_;
};

}  // namespace fabtrace::http
