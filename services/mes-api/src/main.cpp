// MES API: its dependencies, its consumer of approved orders and its routes on the shared
// service skeleton (fabtrace::service).
#include "fabtrace/service/service.h"
#include "mes_api.h"

int main() {
  return fabtrace::service::Run(
      "mes-api", MES_API_VERSION, [](fabtrace::service::Service& service) {
        auto& mesdb = service.Database("MESDB", "mesdb");
        service.Migrate(mesdb, MES_API_MIGRATIONS_DIR, "mes_schema_migrations");
        mes::MesApi api(service.EmployeeApi(mesdb, "mes_operator", {mes::kDetailDefect}));
        service.Consume(
            "mes-api", {mes::kApprovedTopic},
            [&api](const fabtrace::kafka::Message& message) { api.OnOrderApproved(message); });
        service.Serve(api.Routes(), {.openapi_file = MES_API_OPENAPI_FILE});
      });
}
