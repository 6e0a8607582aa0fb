#include "fabtrace/db/postgres.h"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>

#include "fabtrace/common/deadline.h"
#include "fabtrace/db/query_description.h"
#include "fabtrace/telemetry/active_span.h"
#include "fabtrace/telemetry/end_on_exit.h"
#include "fabtrace/telemetry/propagation.h"
#include "fabtrace/telemetry/span_errors.h"
#include "fabtrace/telemetry/start_attributes.h"
#include "fabtrace/telemetry/tracer.h"
#include "opentelemetry/semconv/incubating/db_attributes.h"
#include "opentelemetry/semconv/server_attributes.h"

namespace trace = opentelemetry::trace;
using Clock = std::chrono::steady_clock;

namespace fabtrace::db {

namespace semconv = opentelemetry::semconv;
namespace {

using SpanPtr = opentelemetry::nostd::shared_ptr<trace::Span>;

// The conventions' attributes every span of one database has.
telemetry::FixedAttributes SpanAttributesOf(const PgOptions& options) {
  return telemetry::FixedAttributes(
      {{"db.system.name", "postgresql"},
       {semconv::db::kDbNamespace, options.database + "|" + options.schema},
       {semconv::server::kServerAddress, options.host},
       {semconv::server::kServerPort, std::int64_t{options.port}}});
}

// A client span of the database with its conventions' attributes from the start;
// `attributes` may hold more (the statement's), up to StartAttributes' room.
SpanPtr StartClientSpan(const std::string& name, const telemetry::FixedAttributes& database,
                        telemetry::StartAttributes attributes = {}) {
  trace::StartSpanOptions span_options;
  span_options.kind = trace::SpanKind::kClient;
  attributes.Add(database);
  return telemetry::GetTracer("db")->StartSpan(name, attributes, span_options);
}

// Records the failure on the span; the error names the database (e.g. "shopdb").
DbError Fail(trace::Span& span, const PgOptions& options, const DbError& error) {
  if (!error.sqlstate().empty())
    span.SetAttribute(semconv::db::kDbResponseStatusCode, error.sqlstate());
  telemetry::MarkError(span, error.error_type(), error.what());
  return DbError(error.error_type(), error.sqlstate(), error.what(), options.database);
}

// Waits until the socket is readable (or writable) or the deadline passes.
bool WaitSocket(int socket, bool for_write, Clock::time_point deadline) {
  while (true) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd descriptor{socket, static_cast<short>(for_write ? POLLOUT : POLLIN), 0};
    const int ready = poll(&descriptor, 1, static_cast<int>(left));
    if (ready > 0) return true;
    if (ready < 0 && errno != EINTR) return true;  // let libpq report the socket error
  }
}

std::string ConnectErrorType(const std::string& message) {
  if (message.find("Connection refused") != std::string::npos) return "connection_refused";
  if (message.find("timeout") != std::string::npos) return "timeout";
  if (message.find("password authentication failed") != std::string::npos) return "28P01";
  if (message.find("does not exist") != std::string::npos) return "3D000";
  return "connection_failed";
}

std::string Trimmed(const char* message) {
  std::string text = message ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace

const std::optional<std::string>& Result::at(std::size_t row, const std::string& column) const {
  auto it = columns_.find(column);
  if (it == columns_.end()) throw std::out_of_range("no column " + column);
  return rows_.at(row).at(it->second);
}

std::string Result::text(std::size_t row, const std::string& column) const {
  return at(row, column).value_or("");
}

PgConnection::PgConnection(PGconn* connection, const PgOptions& options,
                           const telemetry::FixedAttributes& span_attributes)
    : connection_(connection), options_(options), span_attributes_(span_attributes) {}

PgConnection::~PgConnection() { PQfinish(connection_); }

bool PgConnection::IsStale() {
  if (!healthy_ || PQstatus(connection_) != CONNECTION_OK) return true;
  pollfd descriptor{PQsocket(connection_), POLLIN, 0};
  // An idle connection has nothing to read; EOF or a message means it is finished.
  return poll(&descriptor, 1, 0) != 0;
}

Result PgConnection::Execute(const std::string& sql, const std::vector<Param>& params) {
  const auto& description = DescribeQuery(sql);
  telemetry::StartAttributes statement;
  statement.Add(semconv::db::kDbQueryText, sql);  // parameters stay placeholders
  if (!description.operation.empty())
    statement.Add(semconv::db::kDbOperationName, description.operation);
  if (!description.collection.empty())
    statement.Add(semconv::db::kDbCollectionName, description.collection);
  auto span = StartClientSpan(description.summary, span_attributes_, statement);
  telemetry::ActiveSpan active(span);
  const telemetry::EndOnExit end_span(span);

  // sqlcommenter-style comment: PostgreSQL logs the statement with its trace. The text is
  // built in the thread's own buffer (libpq copies it when sending), so a traced statement
  // allocates nothing for it once the buffer has grown to the thread's longest statement.
  thread_local std::string commented;
  constexpr std::size_t kKeptStatementRoom = 16 * 1024;
  const bool traced = telemetry::CurrentSpanContext().IsValid();
  if (traced) {
    commented.assign(sql).append(" /*traceparent='");
    telemetry::AppendCurrentTraceparent(commented);
    commented.append("'*/");
  }
  const std::string& text = traced ? commented : sql;
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& param : params) values.push_back(param ? param->c_str() : nullptr);

  const auto deadline = Clock::now() + Deadline::Cap(options_.statement_timeout);
  // Without parameters the simple protocol runs it, which also allows several
  // statements (migrations); with parameters the extended protocol binds them.
  const bool sent =
      values.empty() ? PQsendQuery(connection_, text.c_str())
                     : PQsendQueryParams(connection_, text.c_str(), static_cast<int>(values.size()),
                                         nullptr, values.data(), nullptr, nullptr, 0);
  // Sent (libpq holds its copy): a long statement (a migration) does not keep its room in
  // the buffer for the thread's life.
  if (commented.capacity() > kKeptStatementRoom) std::string().swap(commented);
  if (!sent) {
    healthy_ = false;
    throw Fail(*span, options_,
               DbError("connection_closed", "", Trimmed(PQerrorMessage(connection_))));
  }
  Result result;
  std::optional<DbError> failure;
  while (true) {
    while (PQisBusy(connection_)) {
      if (!WaitSocket(PQsocket(connection_), false, deadline)) {
        healthy_ = false;  // the answer may still come; this connection is not reused
        throw Fail(
            *span, options_,
            DbError("timeout", "",
                    "no answer from PostgreSQL within " +
                        std::to_string(Deadline::Cap(options_.statement_timeout).count()) + " ms"));
      }
      if (!PQconsumeInput(connection_)) {
        healthy_ = false;
        throw Fail(*span, options_,
                   DbError("connection_closed", "", Trimmed(PQerrorMessage(connection_))));
      }
    }
    PGresult* raw = PQgetResult(connection_);
    if (raw == nullptr) break;
    std::unique_ptr<PGresult, decltype(&PQclear)> answer(raw, &PQclear);
    switch (PQresultStatus(raw)) {
      case PGRES_TUPLES_OK:
        for (int column = 0; column < PQnfields(raw); ++column) {
          result.columns_[PQfname(raw, column)] = static_cast<std::size_t>(column);
        }
        for (int row = 0; row < PQntuples(raw); ++row) {
          auto& values_of_row = result.rows_.emplace_back();
          for (int column = 0; column < PQnfields(raw); ++column) {
            if (PQgetisnull(raw, row, column)) {
              values_of_row.emplace_back(std::nullopt);
            } else {
              values_of_row.emplace_back(
                  std::string(PQgetvalue(raw, row, column),
                              static_cast<std::size_t>(PQgetlength(raw, row, column))));
            }
          }
        }
        break;
      case PGRES_COMMAND_OK: {
        const char* affected = PQcmdTuples(raw);
        result.affected_ = affected && *affected ? std::stoul(affected) : 0;
        break;
      }
      default: {
        const char* state = PQresultErrorField(raw, PG_DIAG_SQLSTATE);
        const std::string sqlstate = state ? state : "";
        failure.emplace(sqlstate.empty() ? "connection_closed" : sqlstate, sqlstate,
                        Trimmed(PQresultErrorMessage(raw)));
      }
    }
  }
  if (PQstatus(connection_) != CONNECTION_OK) healthy_ = false;
  if (failure) throw Fail(*span, options_, *failure);
  span->SetAttribute(semconv::db::kDbResponseReturnedRows, static_cast<int64_t>(result.size()));
  return result;
}

PgPool::PgPool(PgOptions options)
    : options_(std::move(options)), span_attributes_(SpanAttributesOf(options_)) {}

PgPool::~PgPool() = default;

std::unique_ptr<PgConnection> PgPool::Connect() {
  telemetry::StartAttributes connect;
  connect.Add(semconv::db::kDbOperationName, "connect");
  auto span = StartClientSpan("connect " + options_.database, span_attributes_, connect);
  telemetry::ActiveSpan active(span);
  const telemetry::EndOnExit end_span(span);

  const auto timeout = Deadline::Cap(options_.connect_timeout);
  const auto deadline = Clock::now() + timeout;
  const auto port = std::to_string(options_.port);
  const auto server_options =
      "-c statement_timeout=" + std::to_string(options_.statement_timeout.count());
  const char* keys[] = {
      "host",    "port",       "dbname",          "user", "password", "application_name",
      "options", "keepalives", "keepalives_idle", nullptr};
  const char* values[] = {options_.host.c_str(),
                          port.c_str(),
                          options_.database.c_str(),
                          options_.user.c_str(),
                          options_.password.c_str(),
                          options_.application_name.c_str(),
                          server_options.c_str(),
                          "1",
                          "10",
                          nullptr};
  PGconn* raw = PQconnectStartParams(keys, values, 0);
  if (raw == nullptr)
    throw Fail(*span, options_, DbError("connection_failed", "", "out of memory"));
  auto connection = std::make_unique<PgConnection>(raw, options_, span_attributes_);
  auto status = PGRES_POLLING_WRITING;
  while (PQstatus(raw) != CONNECTION_BAD && status != PGRES_POLLING_OK &&
         status != PGRES_POLLING_FAILED) {
    if (!WaitSocket(PQsocket(raw), status == PGRES_POLLING_WRITING, deadline)) {
      throw Fail(*span, options_,
                 DbError("timeout", "",
                         "could not connect to PostgreSQL within " +
                             std::to_string(timeout.count()) + " ms"));
    }
    status = PQconnectPoll(raw);
  }
  if (PQstatus(raw) != CONNECTION_OK) {
    const auto message = Trimmed(PQerrorMessage(raw));
    const auto type = ConnectErrorType(message);
    throw Fail(*span, options_, DbError(type, type.size() == 5 ? type : "", message));
  }
  return connection;
}

std::unique_ptr<PgConnection> PgPool::Acquire() {
  std::unique_lock lock(mutex_);
  const auto deadline = Clock::now() + Deadline::Cap(options_.connect_timeout);
  while (idle_.empty() && open_ >= options_.pool_size) {
    if (available_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
        open_ >= options_.pool_size) {
      throw DbError("pool_exhausted", "",
                    "all " + std::to_string(options_.pool_size) + " connections are busy",
                    options_.database);
    }
  }
  while (!idle_.empty()) {
    auto connection = std::move(idle_.back());
    idle_.pop_back();
    if (!connection->IsStale()) return connection;
    --open_;  // closed while idle (restart, proxy, network): replaced below
  }
  ++open_;
  lock.unlock();
  return ConnectReserved();
}

std::unique_ptr<PgConnection> PgPool::ConnectReserved() {
  try {
    return Connect();
  } catch (...) {
    std::lock_guard lock(mutex_);
    --open_;  // the slot is free again
    available_.notify_one();
    throw;
  }
}

void PgPool::Release(std::unique_ptr<PgConnection> connection) {
  std::lock_guard lock(mutex_);
  if (connection->healthy()) {
    idle_.push_back(std::move(connection));
  } else {
    --open_;  // dropped: the next Acquire connects anew
  }
  available_.notify_one();
}

PgPool::Lease::Lease(PgPool& pool) : connection(pool.Acquire()), pool_(pool) {}

PgPool::Lease::~Lease() { pool_.Release(std::move(connection)); }

void PgPool::Transaction(const std::function<void(PgConnection&)>& work) {
  WithConnection([&work](PgConnection& connection) {
    connection.Execute("BEGIN");
    try {
      work(connection);
      connection.Execute("COMMIT");
    } catch (...) {
      if (connection.healthy()) {
        try {
          connection.Execute("ROLLBACK");
        } catch (const DbError&) {
        }
      }
      throw;
    }
  });
}

std::size_t PgPool::Warm() {
  const auto wanted = std::min(options_.warm_connections, options_.pool_size);
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (open_ >= wanted) return open_;
      ++open_;
    }
    try {
      Release(ConnectReserved());
    } catch (const DbError&) {
      std::lock_guard lock(mutex_);
      return open_;
    }
  }
}

bool PgPool::Ping(std::string& reason) {
  try {
    Execute("SELECT 1");
    return true;
  } catch (const DbError& error) {
    reason = std::string("database ") + options_.database + ": " + error.error_type() + ": " +
             error.what();
    return false;
  }
}

}  // namespace fabtrace::db
