// CRM API: its dependencies, its consumer of production events and its routes on the
// shared service skeleton (fabtrace::service).
#include "crm_api.h"
#include "fabtrace/service/service.h"

int main() {
  return fabtrace::service::Run(
      "crm-api", CRM_API_VERSION, [](fabtrace::service::Service& service) {
        auto& shopdb = service.Database("SHOPDB", "shopdb");
        service.Migrate(shopdb, CRM_API_MIGRATIONS_DIR, "crm_schema_migrations");
        crm::CrmApi api(service.EmployeeApi(shopdb, "crm_manager", {crm::kDetailDefect}));
        service.Consume(
            "crm-api", {crm::kJobStatusTopic},
            [&api](const fabtrace::kafka::Message& message) { api.OnJobStatus(message); });
        service.Serve(api.Routes(), {.openapi_file = CRM_API_OPENAPI_FILE});
      });
}
