// A traced server on a free port with routes that exercise the middleware.
#pragma once

#include <chrono>
#include <memory>
#include <stdexcept>
#include <thread>

#include "fabtrace/common/deadline.h"
#include "fabtrace/http/client.h"
#include "fabtrace/http/server.h"
#include "fabtrace/http/validation.h"

namespace fabtrace::http::testing {

inline Router TestRoutes() {
  Router router;
  router.Get("/items/{id}", [](Request& request) {
    return Response::Json(
        200, {{"id", request.param("id")}, {"has_deadline", Deadline::Current().has_value()}});
  });
  router.Post("/items", [](Request& request) { return Response::Json(201, request.json()); });
  router.Get("/boom",
             [](Request&) -> Response { throw std::logic_error("inventory is negative"); });
  router.Get("/missing",
             [](Request&) -> Response { throw HttpError(404, "item_not_found", "no item 9"); });
  router.Get("/dependency/{kind}", [](Request& request) -> Response {
    const auto& kind = request.param("kind");
    throw DependencyError("database",
                          kind == "timeout"       ? DependencyError::Kind::kTimeout
                          : kind == "unavailable" ? DependencyError::Kind::kUnavailable
                                                  : DependencyError::Kind::kRefused,
                          kind == "refused" ? "42501" : kind, "the test says so");
  });
  router.Post("/typed", [](Request& request) {
    const auto body = request.json();
    return Response::Json(200, {{"quantity", RequiredInt(body, "quantity", {1, 100})},
                                {"name", RequiredString(body, "name", 10)}});
  });
  router.Get("/slow", [](Request&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    return Response::NoContent();
  });
  return router;
}

struct TestServer {
  explicit TestServer(ServerOptions options = {}) : server(options, TestRoutes()) {
    port = server.Start();
  }
  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port) + path;
  }

  Server server;
  int port = 0;
};

}  // namespace fabtrace::http::testing
