#include "fabtrace/service/service.h"

#include <spdlog/spdlog.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "fabtrace/db/migrations.h"
#include "fabtrace/http/server.h"
#include "fabtrace/service/admin_routes.h"
#include "fabtrace/telemetry/logging.h"

namespace fabtrace::service {

Service::Service(std::string name, std::string version, Settings settings)
    : name_(std::move(name)), prefix_(EnvPrefix(name_)), settings_(std::move(settings)) {
  telemetry_ = telemetry::Telemetry::Start(name_, version);
}

Service::~Service() = default;

db::PgPool& Service::Database(const std::string& db_prefix, const std::string& default_name) {
  db::PgOptions options;
  options.host = settings_.String(db_prefix + "_HOST", "127.0.0.1");
  options.port = settings_.Port(db_prefix + "_PORT", 5432);
  options.database = settings_.String(db_prefix + "_NAME", default_name);
  options.user = settings_.Required(db_prefix + "_USER");
  options.password = settings_.String(db_prefix + "_PASSWORD", "");
  options.application_name = name_;
  options.connect_timeout = settings_.Millis(db_prefix + "_CONNECT_TIMEOUT_MS", 1000);
  options.statement_timeout = settings_.Millis(db_prefix + "_STATEMENT_TIMEOUT_MS", 2000);
  options.pool_size = static_cast<std::size_t>(settings_.Int(db_prefix + "_POOL_SIZE", 8, 1, 64));
  options.warm_connections =
      static_cast<std::size_t>(settings_.Int(db_prefix + "_POOL_WARM", 4, 0, 64));
  pools_.push_back(std::make_unique<db::PgPool>(options));
  return *pools_.back();
}

void Service::Migrate(db::PgPool& pool, const std::string& directory,
                      const std::string& history_table) {
  for (int attempt = 1;; ++attempt) {
    try {
      db::Migrate(pool, settings_.String(prefix_ + "_MIGRATIONS", directory), history_table);
      spdlog::info("database {}: {} connections open", pool.options().database, pool.Warm());
      return;
    } catch (const db::DbError& error) {
      if (attempt >= 30 || error.kind() == DependencyError::Kind::kRefused) throw;
      spdlog::warn("database not usable yet ({}); retrying", error.what());
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
  }
}

s3::S3Client& Service::Storage() {
  if (!storage_) {
    s3::S3Options options;
    options.endpoint = settings_.String("S3_ENDPOINT", "http://127.0.0.1:9000");
    options.access_key = settings_.Required("S3_ACCESS_KEY");
    options.secret_key = settings_.Required("S3_SECRET_KEY");
    options.request_timeout = settings_.Millis("S3_TIMEOUT_MS", 2000);
    options.connect_timeout = settings_.Millis("S3_CONNECT_TIMEOUT_MS", 1000);
    storage_ = std::make_unique<s3::S3Client>(options);
  }
  return *storage_;
}

ModelFiles Service::Models() { return {Storage(), settings_.String("S3_BUCKET", "models-3d")}; }

FaultFlags& Service::Faults(const std::vector<std::string>& names) {
  faults_ = std::make_unique<FaultFlags>(names, settings_.Flag("FABTRACE_FAULTS", false));
  return *faults_;
}

kafka::KafkaOptions Service::KafkaSettings() const {
  kafka::KafkaOptions options;
  options.bootstrap_servers = settings_.String("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092");
  options.client_id = name_;
  options.delivery_timeout = settings_.Millis("KAFKA_DELIVERY_TIMEOUT_MS", 2000);
  return options;
}

kafka::Producer& Service::Producer() {
  if (!producer_) producer_ = std::make_unique<kafka::Producer>(KafkaSettings());
  return *producer_;
}

void Service::Consume(const std::string& group, const std::vector<std::string>& topics,
                      kafka::Consumer::Handler handler) {
  kafka::ConsumerOptions options;
  options.kafka = KafkaSettings();
  options.group_id = group;
  options.topics = topics;
  consumers_.push_back(std::make_unique<kafka::Consumer>(options, std::move(handler)));
}

EmployeeAuth& Service::Employees(const std::string& role) {
  if (!employees_) {
    auth::JwtVerifierOptions options;
    options.issuer = settings_.Required("OIDC_ISSUER");
    options.audience = settings_.String("OIDC_AUDIENCE", name_);
    options.jwks_url = settings_.String("OIDC_JWKS_URL", "");
    options.leeway = std::chrono::seconds(settings_.Int("OIDC_LEEWAY_S", 30, 0, 300));
    options.ca_file = settings_.String("OIDC_CA_FILE", "");
    employees_ = std::make_unique<EmployeeAuth>(options, role);
  }
  return *employees_;
}

EmployeeApiDeps Service::EmployeeApi(db::PgPool& db, const std::string& role,
                                     const std::vector<std::string>& fault_flags) {
  return {db, Models(), Producer(), Employees(role), Faults(fault_flags)};
}

void Service::Serve(http::Router routes, ServeOptions serve) {
  if (!faults_) Faults({});
  http::ServerOptions options;
  options.host = settings_.String(prefix_ + "_HOST", "127.0.0.1");
  options.port = settings_.Port(prefix_ + "_PORT", 8080);
  options.max_body_bytes = serve.max_body_bytes;
  options.request_timeout = settings_.Millis(prefix_ + "_REQUEST_TIMEOUT_MS", 5000);
  const auto drain = settings_.Millis(prefix_ + "_DRAIN_MS", 500);

  http::ServerOptions admin_options;
  admin_options.host = "127.0.0.1";  // operators only, whatever the public host is
  admin_options.port = static_cast<int>(settings_.Int(prefix_ + "_ADMIN_PORT", 0, 0, 65535));
  admin_options.worker_threads = 2;
  admin_options.max_in_flight = 2;
  admin_options.max_body_bytes = 4096;
  http::Server admin(admin_options, AdminRoutes(*faults_));

  if (!serve.openapi_file.empty()) {
    const auto path = settings_.String(prefix_ + "_OPENAPI", serve.openapi_file);
    std::ifstream in(path);
    if (!in) throw SettingsError(prefix_ + "_OPENAPI: cannot read " + path);
    std::stringstream text;
    text << in.rdbuf();
    routes.Get("/openapi.yaml", [document = text.str()](http::Request&) {
      return http::Response::Text(200, document, "application/yaml");
    });
  }
  http::Server server(options, std::move(routes));
  server.SetReadinessCheck([this](std::string& reason) {
    for (const auto& pool : pools_) {
      if (!pool->Ping(reason)) return false;
    }
    return true;
  });
  server.SetExportStats(&telemetry_->stats());
  admin.Start();
  spdlog::info("admin listener (fault flags) on 127.0.0.1:{}", admin.port());
  server.Start();
  server.RunUntilSignal(drain);
  admin.Stop();
  consumers_.clear();  // stop consuming before the dependencies go
}

int Run(const std::string& name, const std::string& version,
        const std::function<void(Service&)>& body) {
  try {
    Settings settings;
    telemetry::SetUpLogging(name, settings.LogLevel());
    Service service(name, version, std::move(settings));
    body(service);
  } catch (const std::exception& error) {
    spdlog::critical("{} cannot run: {}", name, error.what());
    return 1;
  }
  return 0;
}

}  // namespace fabtrace::service
