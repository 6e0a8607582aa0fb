#include "fabtrace/service/employee_api.h"

namespace fabtrace::service {

http::Router EmployeeApiBase::Routes() {
  http::Router router;
  AddRoutes(router);
  return router;
}

int RunEmployeeApi(const std::string& name, const std::string& version, const EmployeeApiSpec& spec,
                   const EmployeeApiFactory& make) {
  return Run(name, version, [&](Service& service) {
    auto& db = service.Database(spec.db_prefix, spec.db_name);
    service.Migrate(db, spec.migrations_dir, spec.migrations_table);
    // Shared with the consumer's handler, so the API outlives the consumer even when
    // Serve fails (the service stops its consumers before the pools and the producer).
    const std::shared_ptr<EmployeeApiBase> api =
        make(service.EmployeeApi(db, spec.role, spec.fault_flags));
    service.Consume(service.name(), spec.topics,
                    [api](const kafka::Message& message) { api->OnMessage(message); });
    service.Serve(api->Routes(), {.openapi_file = spec.openapi_file});
  });
}

}  // namespace fabtrace::service
