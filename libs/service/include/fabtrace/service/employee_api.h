// The skeleton of an employees' API (CRM API, MES API): one database with its own
// migrations, the realm role its users need, its fault flags, the Kafka topics it consumes
// and its public routes. A service derives from EmployeeApiBase and its main() is one call
// of RunEmployeeApi<Api>(name, version, spec).
#pragma once

#include <concepts>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "fabtrace/http/router.h"
#include "fabtrace/kafka/kafka.h"
#include "fabtrace/service/service.h"

namespace fabtrace::service {

class EmployeeApiBase {
 public:
  explicit EmployeeApiBase(EmployeeApiDeps deps) : deps_(std::move(deps)) {}
  virtual ~EmployeeApiBase() = default;
  EmployeeApiBase(const EmployeeApiBase&) = delete;
  EmployeeApiBase& operator=(const EmployeeApiBase&) = delete;

  // The public routes: those every route group of the API adds.
  http::Router Routes();
  // Handles one message of the consumed topics (the consumer's handler): an exception
  // sends the message to the topic's dead-letter topic.
  virtual void OnMessage(const kafka::Message& message) = 0;

 protected:
  virtual void AddRoutes(http::Router& router) = 0;

  EmployeeApiDeps deps_;
};

// What RunEmployeeApi builds an employees' API from.
struct EmployeeApiSpec {
  // The database: the prefix of its settings ("SHOPDB") and its default name.
  std::string db_prefix;
  std::string db_name;
  // The API's migrations and their history table (one per service sharing a database).
  std::string migrations_dir;
  std::string migrations_table;
  // The realm role every request needs.
  std::string role;
  std::vector<std::string> fault_flags;
  // Consumed in the consumer group named after the service.
  std::vector<std::string> topics;
  std::string openapi_file;
};

using EmployeeApiFactory = std::function<std::unique_ptr<EmployeeApiBase>(EmployeeApiDeps)>;

// Runs an employees' API: Run(name, version) with the database migrated, the API built by
// `make`, its consumer started and its routes served. Returns the process exit code.
int RunEmployeeApi(const std::string& name, const std::string& version, const EmployeeApiSpec& spec,
                   const EmployeeApiFactory& make);

template <std::derived_from<EmployeeApiBase> Api>
int RunEmployeeApi(const std::string& name, const std::string& version,
                   const EmployeeApiSpec& spec) {
  return RunEmployeeApi(name, version, spec, [](EmployeeApiDeps deps) {
    return std::unique_ptr<EmployeeApiBase>(std::make_unique<Api>(std::move(deps)));
  });
}

}  // namespace fabtrace::service
