// Start-up and shutdown that every API shares, so a service is its routes, its store and
// its domain. `Run` sets up logging (LOG_LEVEL) and tracing (OTEL_*), hands the service
// its dependencies built from validated settings, serves the public routes and the admin
// listener, and stops gracefully on SIGINT/SIGTERM. A service named "shop-api" reads
// SHOP_API_PORT, SHOP_API_ADMIN_PORT, SHOP_API_REQUEST_TIMEOUT_MS, SHOP_API_DRAIN_MS.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "fabtrace/db/postgres.h"
#include "fabtrace/http/router.h"
#include "fabtrace/kafka/kafka.h"
#include "fabtrace/s3/s3_client.h"
#include "fabtrace/service/employee_auth.h"
#include "fabtrace/service/fault_flags.h"
#include "fabtrace/service/settings.h"
#include "fabtrace/telemetry/telemetry.h"

namespace fabtrace::service {

struct ServeOptions {
  std::size_t max_body_bytes = 1u << 20;
  // The service's OpenAPI description, served at GET /openapi.yaml (the setting
  // <PREFIX>_OPENAPI overrides the path); none when empty.
  std::string openapi_file;
};

// The 3D files storage: the S3 client and the bucket of the customers' models.
struct ModelFiles {
  s3::S3Client& s3;
  std::string bucket;
};

// What the employees' APIs (CRM API, MES API) are built from: their database, the 3D
// files, the Kafka producer, the sign-in of their realm role and their fault flags.
struct EmployeeApiDeps {
  db::PgPool& db;
  ModelFiles models;
  kafka::Producer& producer;
  EmployeeAuth& employees;
  FaultFlags& faults;
};

class Service {
 public:
  Service(std::string name, std::string version, Settings settings);
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  const Settings& settings() const { return settings_; }
  const std::string& name() const { return name_; }
  // The prefix of the service's own variables ("SHOP_API").
  const std::string& prefix() const { return prefix_; }

  // A PostgreSQL pool from <DB>_HOST, _PORT, _NAME, _USER, _PASSWORD,
  // _CONNECT_TIMEOUT_MS, _STATEMENT_TIMEOUT_MS, _POOL_SIZE, _POOL_WARM (connections opened
  // once migrated); readiness checks it.
  db::PgPool& Database(const std::string& db_prefix, const std::string& default_name);
  // Applies the versioned migrations of a directory (<PREFIX>_MIGRATIONS overrides it),
  // waiting up to 30 s for the database, then warms the pool;
  // their history is kept in `history_table` (one per service sharing a database).
  void Migrate(db::PgPool& pool, const std::string& directory,
               const std::string& history_table = "schema_migrations");
  // The S3 store from S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY, S3_TIMEOUT_MS,
  // S3_CONNECT_TIMEOUT_MS.
  s3::S3Client& Storage();
  // The store of the customers' 3D models: Storage() and the bucket S3_BUCKET.
  ModelFiles Models();
  // The service's fault flags, switchable when FABTRACE_FAULTS=1.
  FaultFlags& Faults(const std::vector<std::string>& names);
  // The Kafka producer from KAFKA_BOOTSTRAP_SERVERS, KAFKA_DELIVERY_TIMEOUT_MS.
  kafka::Producer& Producer();
  // Consumes `topics` in consumer group `group` on a background thread from now until
  // the service stops; a message its handler refuses goes to "<topic>.dlq".
  void Consume(const std::string& group, const std::vector<std::string>& topics,
               kafka::Consumer::Handler handler);
  // Employees signing in with Keycloak: OIDC_ISSUER (the realm's URL), OIDC_AUDIENCE
  // (default: the service's name), OIDC_LEEWAY_S (clock skew allowed on expiry, default
  // 30), OIDC_CA_FILE (the CAs trusted for an https issuer, default: the system's);
  // requests need the realm role `role`.
  EmployeeAuth& Employees(const std::string& role);
  // An employees' API on `db`: Models(), Producer(), Employees(role), Faults(fault_flags).
  EmployeeApiDeps EmployeeApi(db::PgPool& db, const std::string& role,
                              const std::vector<std::string>& fault_flags);

  // Serves `routes` on <PREFIX>_PORT and the admin routes on <PREFIX>_ADMIN_PORT
  // (127.0.0.1) until SIGINT or SIGTERM, then drains for <PREFIX>_DRAIN_MS.
  void Serve(http::Router routes, ServeOptions options = {});

 private:
  kafka::KafkaOptions KafkaSettings() const;

  std::string name_, prefix_;
  Settings settings_;
  std::unique_ptr<telemetry::Telemetry> telemetry_;
  std::vector<std::unique_ptr<db::PgPool>> pools_;
  std::unique_ptr<s3::S3Client> storage_;
  std::unique_ptr<FaultFlags> faults_;
  std::unique_ptr<kafka::Producer> producer_;
  std::unique_ptr<EmployeeAuth> employees_;
  // Last: consumers stop before the pools and the producer their handlers use.
  std::vector<std::unique_ptr<kafka::Consumer>> consumers_;
};

// Runs a service: logging and tracing first, then `body` (which builds the service and
// calls Serve). Returns the process exit code: 1 with a clear log line when a setting is
// wrong or the service cannot start.
int Run(const std::string& name, const std::string& version,
        const std::function<void(Service&)>& body);

}  // namespace fabtrace::service
