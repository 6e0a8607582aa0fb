// GET /materials: the catalogue of printable materials and their prices.
#include "shop_api.h"

namespace shop {

void ShopApi::AddMaterialRoutes(fabtrace::http::Router& router) {
  router.Get("/materials", [this](fabtrace::http::Request&) {
    return fabtrace::http::Response::Json(200, {{"materials", store_.Materials()}});
  });
}

}  // namespace shop
