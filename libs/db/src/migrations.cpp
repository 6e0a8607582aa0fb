#include "fabtrace/db/migrations.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace fabtrace::db {

int Migrate(PgPool& pool, const std::string& directory, const std::string& history_table) {
  pool.Execute("CREATE TABLE IF NOT EXISTS " + history_table +
               " (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())");
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    if (entry.path().extension() == ".sql") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  int applied = 0;
  for (const auto& file : files) {
    const auto version = file.stem().string();
    if (!pool.Execute("SELECT 1 FROM " + history_table + " WHERE version = $1", {version}).empty())
      continue;
    std::ifstream in(file);
    std::stringstream sql;
    sql << in.rdbuf();
    pool.Transaction([&](PgConnection& connection) {
      connection.Execute(sql.str());
      connection.Execute("INSERT INTO " + history_table + " (version) VALUES ($1)", {version});
    });
    spdlog::info("migration {} applied", version);
    ++applied;
  }
  return applied;
}

}  // namespace fabtrace::db
