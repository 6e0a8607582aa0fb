#include "fabtrace/service/admin_routes.h"

#include "fabtrace/http/validation.h"

namespace fabtrace::service {

http::Router AdminRoutes(FaultFlags& faults) {
  http::Router router;
  router.Get("/faults",
             [&faults](http::Request&) { return http::Response::Json(200, faults.All()); });
  router.Put("/faults/{name}", [&faults](http::Request& request) {
    if (!faults.switchable())
      throw http::HttpError(403, "faults_locked", "fault switches are off (FABTRACE_FAULTS)");
    const bool on = http::RequiredBool(request.json(), "enabled");
    if (!faults.Set(request.param("name"), on))
      throw http::HttpError(404, "unknown_fault", "no fault named " + request.param("name"));
    return http::Response::Json(200, faults.All());
  });
  return router;
}

}  // namespace fabtrace::service
