#include "fabtrace/http/router.h"

#include <gtest/gtest.h>

namespace fabtrace::http {
namespace {

Response Ok(Request&) { return Response::NoContent(); }

TEST(Router, MatchesTemplatesAndExtractsParameters) {
  Router router;
  router.Get("/orders", Ok).Get("/orders/{id}", Ok).Post("/orders/{id}/items/{item}", Ok);
  auto match = router.Find("GET", "/orders/42");
  ASSERT_TRUE(match);
  ASSERT_NE(match->handler, nullptr);
  EXPECT_EQ(match->route, "/orders/{id}");
  EXPECT_EQ(match->params.at("id"), "42");

  match = router.Find("POST", "/orders/7/items/x1");
  ASSERT_TRUE(match && match->handler);
  EXPECT_EQ(match->params.at("item"), "x1");
  EXPECT_EQ(router.Find("GET", "/orders")->route, "/orders");
}

TEST(Router, UnknownPathAndWrongMethod) {
  Router router;
  router.Get("/orders/{id}", Ok).Delete("/orders/{id}", Ok);
  EXPECT_FALSE(router.Find("GET", "/customers"));
  EXPECT_FALSE(router.Find("GET", "/orders/"));  // an empty parameter does not match
  EXPECT_FALSE(router.Find("GET", "relative"));
  auto match = router.Find("PUT", "/orders/1");
  ASSERT_TRUE(match);
  EXPECT_EQ(match->handler, nullptr);
  EXPECT_EQ(match->route, "/orders/{id}");
  EXPECT_EQ(match->allowed_methods, (std::vector<std::string>{"GET", "DELETE"}));
}

TEST(Router, RejectsMalformedTemplates) {
  Router router;
  EXPECT_THROW(router.Get("orders", Ok), std::invalid_argument);
  EXPECT_THROW(router.Get("/orders/{id", Ok), std::invalid_argument);
  EXPECT_THROW(router.Get("/orders/x{id}", Ok), std::invalid_argument);
}

}  // namespace
}  // namespace fabtrace::http
