// Shop API: configuration from the environment, wiring, start-up and shutdown.
#include <sodium.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "fabtrace/http/server.h"
#include "fabtrace/telemetry/logging.h"
#include "fabtrace/telemetry/telemetry.h"
#include "migrations.h"
#include "shop_api.h"

namespace {

std::string Env(const char* name, const std::string& fallback = "") {
  const char* value = std::getenv(name);
  return value && *value ? std::string(value) : fallback;
}

std::chrono::milliseconds Millis(const char* name, int fallback) {
  return std::chrono::milliseconds(std::stoi(Env(name, std::to_string(fallback))));
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

int main() {
  fabtrace::telemetry::SetUpLogging("shop-api");
  if (sodium_init() < 0) {
    spdlog::critical("libsodium cannot start");
    return 1;
  }
  auto tracing = fabtrace::telemetry::Telemetry::Start("shop-api", SHOP_API_VERSION);
  try {
    fabtrace::db::PgOptions db_options;
    db_options.host = Env("SHOPDB_HOST", "127.0.0.1");
    db_options.port = std::stoi(Env("SHOPDB_PORT", "5433"));
    db_options.database = Env("SHOPDB_NAME", "shopdb");
    db_options.user = Env("SHOPDB_USER", "shop");
    db_options.password = Env("SHOPDB_PASSWORD");
    db_options.application_name = "shop-api";
    db_options.connect_timeout = Millis("SHOPDB_CONNECT_TIMEOUT_MS", 1000);
    db_options.statement_timeout = Millis("SHOPDB_STATEMENT_TIMEOUT_MS", 2000);
    db_options.pool_size = 8;
    fabtrace::db::PgPool db(db_options);

    fabtrace::s3::S3Options s3_options;
    s3_options.endpoint = Env("S3_ENDPOINT", "http://127.0.0.1:9000");
    s3_options.access_key = Env("S3_ACCESS_KEY");
    s3_options.secret_key = Env("S3_SECRET_KEY");
    s3_options.request_timeout = Millis("S3_TIMEOUT_MS", 2000);
    s3_options.connect_timeout = Millis("S3_CONNECT_TIMEOUT_MS", 1000);
    fabtrace::s3::S3Client s3(s3_options);

    const auto migrations = Env("SHOP_API_MIGRATIONS", SHOP_API_MIGRATIONS_DIR);
    for (int attempt = 1;; ++attempt) {
      try {
        shop::Migrate(db, migrations);
        break;
      } catch (const fabtrace::db::DbError& error) {
        if (attempt >= 30) throw;
        spdlog::warn("ShopDB not usable yet ({}); retrying", error.what());
        std::this_thread::sleep_for(std::chrono::seconds(1));
      }
    }

    shop::Faults faults(Env("FABTRACE_FAULTS") == "1");
    shop::ShopApi api({db, s3, Env("S3_BUCKET", "models-3d"), faults,
                       ReadFile(Env("SHOP_API_OPENAPI", SHOP_API_OPENAPI_FILE))});

    fabtrace::http::ServerOptions options;
    options.host = Env("SHOP_API_HOST", "127.0.0.1");
    options.port = std::stoi(Env("SHOP_API_PORT", "8180"));
    options.max_body_bytes = 20u << 20;
    options.request_timeout = Millis("SHOP_API_REQUEST_TIMEOUT_MS", 5000);
    fabtrace::http::Server server(options, api.Routes());
    server.SetReadinessCheck([&db](std::string& reason) { return db.Ping(reason); });
    server.SetExceptionMapper(shop::MapDependencyError);
    server.SetExportStats(&tracing->stats());
    server.Start();
    server.RunUntilSignal(std::chrono::milliseconds(std::stoi(Env("SHOP_API_DRAIN_MS", "500"))));
  } catch (const std::exception& error) {
    spdlog::critical("shop-api cannot run: {}", error.what());
    return 1;
  }
  return 0;
}
