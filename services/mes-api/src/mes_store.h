// Every SQL statement of MES API, on MES DB (materials, printers, jobs, job events).
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "approved_order.h"
#include "estimate.h"
#include "fabtrace/db/postgres.h"
#include "fabtrace/http/validation.h"

namespace mes {

struct JobFilter {
  std::optional<std::string> status, printer_id;
  std::optional<std::int64_t> order_id;
  fabtrace::http::Page page{100, 0};
};

// A status change of a job, as published on jobs.status.
struct JobChange {
  std::int64_t job_id = 0;
  std::int64_t order_id = 0;
  int attempt = 1;
  std::string status, reason, event_id, printer_id;
  std::string origin_traceparent;  // the trace that created the job
  std::string sheet_key;           // the job sheet in the 3d files storage

  nlohmann::json Message() const;
};

// Work done inside a job's transaction once its change is written: when it throws,
// nothing changes.
using PublishChange = std::function<void(const JobChange& change)>;

class MesStore {
 public:
  explicit MesStore(fabtrace::db::PgPool& db) : db_(db) {}

  nlohmann::json Jobs(const JobFilter& filter) const;
  // The job with its events and the printers it may go to.
  std::optional<nlohmann::json> Job(std::int64_t id) const;
  std::optional<std::int64_t> JobOfOrder(std::int64_t order_id) const;
  std::optional<std::string> ModelKey(std::int64_t job_id) const;
  std::optional<std::string> SheetKey(std::int64_t job_id) const;

  std::optional<Material> FindMaterial(const std::string& id) const;
  std::vector<Printer> Printers() const;
  nlohmann::json PrintersWithState() const;

  // Creates the QUEUED job of an approved order and calls `publish` inside the same
  // transaction. Returns the job id; nullopt when the order has a job already (a
  // redelivered message creates nothing).
  std::optional<std::int64_t> CreateJob(const ApprovedOrder& order, const Estimate& estimate,
                                        const std::string& sheet_key_prefix,
                                        const std::string& origin_traceparent,
                                        const PublishChange& publish) const;
  // Puts a QUEUED job onto a printer. Throws HttpError 404/409.
  void Schedule(std::int64_t job_id, const std::string& printer_id) const;
  // Moves a job to `status` (see job_lifecycle.h). Returns false when it had that status
  // already (nothing published). Throws HttpError 400/404/409.
  bool ChangeStatus(std::int64_t job_id, const std::string& status, const std::string& reason,
                    const std::string& actor, const PublishChange& publish) const;
  // Takes a printer into maintenance or back. Throws HttpError 404/409.
  void SetMaintenance(const std::string& printer_id, bool maintenance) const;

 private:
  fabtrace::db::PgPool& db_;
};

}  // namespace mes
