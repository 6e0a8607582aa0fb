#include "fabtrace/service/admin_routes.h"

#include <gtest/gtest.h>

namespace fabtrace::service {
namespace {

http::Response Call(http::Router& router, const std::string& method, const std::string& path,
                    const std::string& body = "") {
  auto match = router.Find(method, path);
  EXPECT_TRUE(match && match->handler) << method << " " << path;
  http::Request request;
  request.method = method;
  request.path = path;
  request.path_params = match->params;
  request.body = body;
  return (*match->handler)(request);
}

int StatusOf(const std::function<void()>& call) {
  try {
    call();
  } catch (const http::HttpError& error) {
    return error.status();
  }
  return 200;
}

TEST(AdminRoutes, SwitchesKnownFlagsWhenAllowed) {
  FaultFlags faults({"pricing_defect"}, true);
  auto router = AdminRoutes(faults);
  EXPECT_EQ(Call(router, "PUT", "/faults/pricing_defect", R"({"enabled": true})").status, 200);
  EXPECT_TRUE(faults.enabled("pricing_defect"));
  EXPECT_EQ(nlohmann::json::parse(Call(router, "GET", "/faults").body)["pricing_defect"], true);
  EXPECT_EQ(StatusOf([&] { Call(router, "PUT", "/faults/other", R"({"enabled": true})"); }), 404);
  EXPECT_EQ(
      StatusOf([&] { Call(router, "PUT", "/faults/pricing_defect", R"({"enabled": "yes"})"); }),
      400);
}

TEST(AdminRoutes, LockedWithoutFabtraceFaults) {
  FaultFlags faults({"pricing_defect"}, false);
  auto router = AdminRoutes(faults);
  EXPECT_EQ(
      StatusOf([&] { Call(router, "PUT", "/faults/pricing_defect", R"({"enabled": true})"); }),
      403);
  EXPECT_FALSE(faults.enabled("pricing_defect"));
}

}  // namespace
}  // namespace fabtrace::service
