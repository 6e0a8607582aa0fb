// The printers: their state (idle, printing which job, in maintenance) and taking one
// into maintenance or back.
#include "fabtrace/http/validation.h"
#include "mes_api.h"

namespace mes {

using fabtrace::http::HttpError;
using fabtrace::http::Request;
using fabtrace::http::Response;

void MesApi::AddPrinterRoutes(fabtrace::http::Router& router) {
  router.Get("/printers", [this](Request& request) {
    deps_.employees.Require(request);
    return Response::Json(200, {{"printers", store_.PrintersWithState()}});
  });

  router.Put("/printers/{id}/state", [this](Request& request) {
    deps_.employees.Require(request);
    const auto id = request.path_params.at("id");
    if (!std::regex_match(id, PrinterIdPattern()))
      throw HttpError(404, "printer_not_found", "no such printer");
    const auto state = fabtrace::http::RequiredString(request.json(), "state", 20);
    if (state != "IDLE" && state != "MAINTENANCE")
      throw HttpError(400, "invalid_parameter", "'state' must be IDLE or MAINTENANCE");
    store_.SetMaintenance(id, state == "MAINTENANCE");
    for (auto& printer : store_.PrintersWithState())
      if (printer["id"] == id) return Response::Json(200, printer);
    throw HttpError(404, "printer_not_found", "no such printer");
  });
}

}  // namespace mes
