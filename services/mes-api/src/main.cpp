// MES API: its dependencies, its consumer of approved orders and its routes on the shared
// employees' API skeleton (fabtrace::service::RunEmployeeApi).
#include "mes_api.h"

int main() {
  return fabtrace::service::RunEmployeeApi<mes::MesApi>(
      "mes-api", MES_API_VERSION,
      {.db_prefix = "MESDB",
       .db_name = "mesdb",
       .migrations_dir = MES_API_MIGRATIONS_DIR,
       .migrations_table = "mes_schema_migrations",
       .role = "mes_operator",
       .fault_flags = {mes::kDetailDefect},
       .topics = {mes::kApprovedTopic},
       .openapi_file = MES_API_OPENAPI_FILE});
}
