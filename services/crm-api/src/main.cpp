// CRM API: its dependencies, its consumer of production events and its routes on the
// shared employees' API skeleton (fabtrace::service::RunEmployeeApi).
#include "crm_api.h"

int main() {
  return fabtrace::service::RunEmployeeApi<crm::CrmApi>(
      "crm-api", CRM_API_VERSION,
      {.db_prefix = "SHOPDB",
       .db_name = "shopdb",
       .migrations_dir = CRM_API_MIGRATIONS_DIR,
       .migrations_table = "crm_schema_migrations",
       .role = "crm_manager",
       .fault_flags = {crm::kDetailDefect},
       .topics = {crm::kJobStatusTopic},
       .openapi_file = CRM_API_OPENAPI_FILE});
}
