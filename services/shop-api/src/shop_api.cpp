#include "shop_api.h"

#include "fabtrace/telemetry/annotate.h"

namespace shop {

fabtrace::http::Router ShopApi::Routes() {
  fabtrace::http::Router router;
  AddMaterialRoutes(router);
  AddCustomerRoutes(router);
  AddModelRoutes(router);
  AddOrderRoutes(router);
  return router;
}

std::int64_t ShopApi::SignedIn(const fabtrace::http::Request& request) {
  const auto customer = accounts_.Authenticate(request);
  fabtrace::telemetry::Annotate("shop.customer.id", customer);
  return customer;
}

}  // namespace shop
