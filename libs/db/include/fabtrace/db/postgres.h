// PostgreSQL access for the services: a small connection pool over libpq with a
// client-side deadline on connecting and on every statement (so a database that stops
// answering becomes a span that ends at its timeout), CLIENT spans with the database
// semantic conventions, and the traceparent appended as an SQL comment so that
// PostgreSQL's own logs name the trace.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "fabtrace/common/dependency_error.h"
#include "fabtrace/telemetry/fixed_attributes.h"

typedef struct pg_conn PGconn;

namespace fabtrace::db {

struct PgOptions {
  std::string host = "127.0.0.1";
  int port = 5432;
  std::string database;
  std::string schema = "public";
  std::string user;
  std::string password;
  std::string application_name = "fabtrace";
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds statement_timeout{
      5000};  // client deadline and server statement_timeout
  std::size_t pool_size = 4;
  // Connections Warm() opens ahead of the first requests (at most pool_size).
  std::size_t warm_connections = 4;
};

// A failed statement. error_type is the SQLSTATE for an answer of the server
// ("25006", "42501", ...: refused), or "timeout", "connection_refused",
// "connection_closed", "connection_failed", "pool_exhausted" when no answer came.
class DbError : public DependencyError {
 public:
  // `database` names it in answers to clients ("shopdb_timeout").
  DbError(std::string error_type, std::string sqlstate, const std::string& message,
          std::string database = "database")
      : DependencyError(std::move(database), KindOf(error_type, sqlstate), error_type, message),
        sqlstate_(std::move(sqlstate)) {}
  const std::string& sqlstate() const { return sqlstate_; }  // empty unless the server answered

 private:
  static Kind KindOf(const std::string& error_type, const std::string& sqlstate) {
    if (error_type == "timeout") return Kind::kTimeout;
    return sqlstate.empty() ? Kind::kUnavailable : Kind::kRefused;
  }
  std::string sqlstate_;
};

using Param = std::optional<std::string>;  // nullopt is SQL NULL

class Result {
 public:
  std::size_t size() const { return rows_.size(); }
  bool empty() const { return rows_.empty(); }
  const std::optional<std::string>& at(std::size_t row, const std::string& column) const;
  std::string text(std::size_t row, const std::string& column) const;  // NULL -> ""
  std::size_t affected_rows() const { return affected_; }
  // Every row, in order, turned into what `convert(result, row)` makes of it.
  template <typename RowConverter>
  auto Map(RowConverter convert) const {
    std::vector<decltype(convert(*this, std::size_t{}))> converted;
    converted.reserve(size());
    for (std::size_t row = 0; row < size(); ++row) converted.push_back(convert(*this, row));
    return converted;
  }

 private:
  friend class PgConnection;
  std::map<std::string, std::size_t> columns_;
  std::vector<std::vector<std::optional<std::string>>> rows_;
  std::size_t affected_ = 0;
};

class PgConnection {
 public:
  // `span_attributes`: those of every span of the database (its pool's).
  PgConnection(PGconn* connection, const PgOptions& options,
               const telemetry::FixedAttributes& span_attributes);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Runs one statement with $1.. parameters inside a CLIENT span. Throws DbError.
  Result Execute(const std::string& sql, const std::vector<Param>& params = {});
  bool healthy() const { return healthy_; }
  // An idle connection the server or a proxy has closed (or that received anything
  // unexpected) is stale: it must not be used again.
  bool IsStale();

 private:
  PGconn* connection_;
  const PgOptions& options_;
  const telemetry::FixedAttributes& span_attributes_;
  bool healthy_ = true;
};

class PgPool {
 public:
  explicit PgPool(PgOptions options);
  ~PgPool();

  // Runs `work` with a connection of the pool; a connection that broke is not reused.
  template <typename Work>
  auto WithConnection(Work&& work) {
    Lease lease(*this);
    return work(*lease.connection);
  }
  Result Execute(const std::string& sql, const std::vector<Param>& params = {}) {
    return WithConnection(
        [&](PgConnection& connection) { return connection.Execute(sql, params); });
  }
  // BEGIN ... COMMIT around `work`; ROLLBACK when it throws.
  void Transaction(const std::function<void(PgConnection&)>& work);
  // Opens idle connections until options().warm_connections are open, so that the first
  // requests after a start do not each pay for a connection (over a slow network a
  // connection costs several round trips). Stops quietly at the first failure: requests
  // then connect on demand. Returns the number of open connections.
  std::size_t Warm();
  // SELECT 1 within the connect timeout; for readiness checks.
  bool Ping(std::string& reason);

  const PgOptions& options() const { return options_; }

 private:
  class Lease {
   public:
    explicit Lease(PgPool& pool);
    ~Lease();
    std::unique_ptr<PgConnection> connection;

   private:
    PgPool& pool_;
  };
  std::unique_ptr<PgConnection> Acquire();
  void Release(std::unique_ptr<PgConnection> connection);
  std::unique_ptr<PgConnection> Connect();
  // Connect() for a slot already counted in open_; the slot is given back if it fails.
  std::unique_ptr<PgConnection> ConnectReserved();

  PgOptions options_;
  telemetry::FixedAttributes span_attributes_;  // system, namespace, address of its spans
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<PgConnection>> idle_;
  std::size_t open_ = 0;
};

}  // namespace fabtrace::db
