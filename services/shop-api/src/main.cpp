// Shop API: its dependencies and routes on the shared service skeleton (settings,
// start-up, admin listener, graceful shutdown come from fabtrace::service).
#include <sodium.h>

#include <stdexcept>

#include "fabtrace/service/service.h"
#include "shop_api.h"

int main() {
  return fabtrace::service::Run(
      "shop-api", SHOP_API_VERSION, [](fabtrace::service::Service& service) {
        if (sodium_init() < 0) throw std::runtime_error("libsodium cannot start");
        auto& db = service.Database("SHOPDB", "shopdb");
        service.Migrate(db, SHOP_API_MIGRATIONS_DIR);
        shop::ShopApi api({db, service.Models(), service.Faults({shop::kPricingDefect})});
        service.Serve(api.Routes(),
                      {.max_body_bytes = 20u << 20, .openapi_file = SHOP_API_OPENAPI_FILE});
      });
}
