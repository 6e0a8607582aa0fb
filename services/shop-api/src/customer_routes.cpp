// POST /customers (sign up) and POST /sessions (sign in).
#include "fabtrace/http/validation.h"
#include "fabtrace/telemetry/annotate.h"
#include "shop_api.h"

namespace shop {

using fabtrace::http::RequiredString;
using fabtrace::http::Response;

void ShopApi::AddCustomerRoutes(fabtrace::http::Router& router) {
  router.Post("/customers", [this](fabtrace::http::Request& request) {
    const auto body = request.json();
    const auto session =
        accounts_.SignUp(RequiredString(body, "email"), RequiredString(body, "password"),
                         RequiredString(body, "name", 100));
    fabtrace::telemetry::Annotate("shop.customer.id", session.customer_id);
    return Response::Json(201, {{"customer_id", session.customer_id}, {"token", session.token}});
  });

  router.Post("/sessions", [this](fabtrace::http::Request& request) {
    const auto body = request.json();
    const auto session =
        accounts_.SignIn(RequiredString(body, "email"), RequiredString(body, "password"));
    fabtrace::telemetry::Annotate("shop.customer.id", session.customer_id);
    return Response::Json(200, {{"customer_id", session.customer_id}, {"token", session.token}});
  });
}

}  // namespace shop
