#include "mes_store.h"

#include "fabtrace/db/conditions.h"
#include "fabtrace/http/message.h"
#include "job_lifecycle.h"

namespace mes {
namespace {

using fabtrace::db::PgConnection;
using fabtrace::db::Result;
using fabtrace::http::HttpError;
using nlohmann::json;

constexpr const char* kJobColumns =
    "j.id, j.order_id, j.customer_id, j.model_id, j.material_id, m.technology, j.quantity, "
    "j.status, j.printer_id, j.attempt, j.reason, j.estimate::text AS estimate, j.created_at, "
    "j.updated_at";

json JobRow(const Result& rows, std::size_t i) {
  const auto& printer = rows.at(i, "printer_id");
  return {{"id", std::stoll(rows.text(i, "id"))},
          {"order_id", std::stoll(rows.text(i, "order_id"))},
          {"customer_id", std::stoll(rows.text(i, "customer_id"))},
          {"model_id", std::stoll(rows.text(i, "model_id"))},
          {"material_id", rows.text(i, "material_id")},
          {"technology", rows.text(i, "technology")},
          {"quantity", std::stoi(rows.text(i, "quantity"))},
          {"status", rows.text(i, "status")},
          {"printer_id", printer ? json(*printer) : json(nullptr)},
          {"attempt", std::stoi(rows.text(i, "attempt"))},
          {"reason", rows.text(i, "reason")},
          {"estimate", json::parse(rows.text(i, "estimate"))},
          {"created_at", rows.text(i, "created_at")},
          {"updated_at", rows.text(i, "updated_at")}};
}

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> items;
  std::size_t start = 0;
  while (start <= text.size() && !text.empty()) {
    const auto end = text.find(',', start);
    items.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return items;
}

std::vector<Printer> ReadPrinters(const Result& rows) {
  std::vector<Printer> printers;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    printers.push_back(
        {rows.text(i, "id"),
         rows.text(i, "technology"),
         SplitList(rows.text(i, "materials")),
         {std::stod(rows.text(i, "build_x_mm")), std::stod(rows.text(i, "build_y_mm")),
          std::stod(rows.text(i, "build_z_mm"))},
         rows.text(i, "maintenance") == "t"});
  }
  return printers;
}

constexpr const char* kPrinterQuery =
    "SELECT id, name, technology, array_to_string(materials, ',') AS materials, build_x_mm, "
    "build_y_mm, build_z_mm, maintenance FROM printers";

void InsertEvent(PgConnection& db, const JobChange& change, const std::string& actor) {
  db.Execute(
      "INSERT INTO job_events (job_id, event_id, status, reason, actor) VALUES ($1, $2, $3, $4, "
      "$5) ON CONFLICT (event_id) DO NOTHING",
      {std::to_string(change.job_id), change.event_id, change.status, change.reason, actor});
}

}  // namespace

json JobChange::Message() const {
  return {{"event_id", event_id},
          {"order_id", order_id},
          {"job_id", job_id},
          {"status", status},
          {"reason", reason},
          {"attempt", attempt},
          {"printer_id", printer_id.empty() ? json(nullptr) : json(printer_id)}};
}

json MesStore::Jobs(const JobFilter& filter) const {
  fabtrace::db::Conditions where;
  if (filter.status) where.Add("j.status = {}", *filter.status);
  if (filter.printer_id) where.Add("j.printer_id = {}", *filter.printer_id);
  if (filter.order_id) where.Add("j.order_id = {}", std::to_string(*filter.order_id));
  return where
      .SelectPage(db_,
                  std::string("SELECT ") + kJobColumns +
                      " FROM jobs j JOIN materials m ON m.id = j.material_id",
                  "j.id DESC", filter.page.limit, filter.page.offset)
      .Map(JobRow);
}

std::optional<json> MesStore::Job(std::int64_t id) const {
  const auto key = std::to_string(id);
  const auto rows = db_.Execute(
      std::string("SELECT ") + kJobColumns +
          ", m.density_g_cm3, m.rate_cm3_h FROM jobs j JOIN materials m ON m.id = j.material_id "
          "WHERE j.id = $1",
      {key});
  if (rows.empty()) return std::nullopt;
  auto job = JobRow(rows, 0);
  const Material material{rows.text(0, "material_id"), rows.text(0, "technology"),
                          std::stod(rows.text(0, "density_g_cm3")),
                          std::stod(rows.text(0, "rate_cm3_h"))};
  job["compatible_printers"] =
      CompatiblePrinters(EstimateFromJson(job["estimate"]), material, Printers());
  const auto events = db_.Execute(
      "SELECT status, reason, actor, at FROM job_events WHERE job_id = $1 ORDER BY id", {key});
  job["events"] = json::array();
  for (std::size_t i = 0; i < events.size(); ++i) {
    job["events"].push_back({{"status", events.text(i, "status")},
                             {"reason", events.text(i, "reason")},
                             {"actor", events.text(i, "actor")},
                             {"at", events.text(i, "at")}});
  }
  return job;
}

std::optional<std::int64_t> MesStore::JobOfOrder(std::int64_t order_id) const {
  const auto rows =
      db_.Execute("SELECT id FROM jobs WHERE order_id = $1", {std::to_string(order_id)});
  if (rows.empty()) return std::nullopt;
  return std::stoll(rows.text(0, "id"));
}

std::optional<std::string> MesStore::ModelKey(std::int64_t job_id) const {
  const auto rows =
      db_.Execute("SELECT model_key FROM jobs WHERE id = $1", {std::to_string(job_id)});
  if (rows.empty()) return std::nullopt;
  return rows.text(0, "model_key");
}

std::optional<std::string> MesStore::SheetKey(std::int64_t job_id) const {
  const auto rows =
      db_.Execute("SELECT sheet_key FROM jobs WHERE id = $1", {std::to_string(job_id)});
  if (rows.empty()) return std::nullopt;
  return rows.text(0, "sheet_key");
}

std::optional<Material> MesStore::FindMaterial(const std::string& id) const {
  const auto rows = db_.Execute(
      "SELECT id, technology, density_g_cm3, rate_cm3_h FROM materials WHERE id = $1", {id});
  if (rows.empty()) return std::nullopt;
  return Material{rows.text(0, "id"), rows.text(0, "technology"),
                  std::stod(rows.text(0, "density_g_cm3")), std::stod(rows.text(0, "rate_cm3_h"))};
}

std::vector<Printer> MesStore::Printers() const {
  return ReadPrinters(db_.Execute(std::string(kPrinterQuery) + " ORDER BY id"));
}

json MesStore::PrintersWithState() const {
  const auto rows = db_.Execute(
      "SELECT p.id, p.name, p.technology, array_to_string(p.materials, ',') AS materials, "
      "p.build_x_mm, p.build_y_mm, p.build_z_mm, p.maintenance, j.id AS job_id "
      "FROM printers p LEFT JOIN jobs j ON j.printer_id = p.id AND j.status = 'PRINTING' "
      "ORDER BY p.id");
  json printers = json::array();
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& job = rows.at(i, "job_id");
    const auto state = rows.text(i, "maintenance") == "t" ? "MAINTENANCE"
                       : job                              ? "PRINTING"
                                                          : "IDLE";
    printers.push_back(
        {{"id", rows.text(i, "id")},
         {"name", rows.text(i, "name")},
         {"technology", rows.text(i, "technology")},
         {"materials", SplitList(rows.text(i, "materials"))},
         {"build_volume_mm",
          {std::stod(rows.text(i, "build_x_mm")), std::stod(rows.text(i, "build_y_mm")),
           std::stod(rows.text(i, "build_z_mm"))}},
         {"state", state},
         {"job_id", job ? json(std::stoll(*job)) : json(nullptr)}});
  }
  return printers;
}

std::optional<std::int64_t> MesStore::CreateJob(const ApprovedOrder& order,
                                                const Estimate& estimate,
                                                const std::string& sheet_key_prefix,
                                                const std::string& origin_traceparent,
                                                const PublishChange& publish) const {
  std::optional<std::int64_t> created;
  db_.Transaction([&](PgConnection& db) {
    const auto rows = db.Execute(
        "INSERT INTO jobs (order_id, customer_id, model_id, model_key, material_id, quantity, "
        "status, estimate, estimated_minutes, sheet_key, origin_traceparent) "
        "VALUES ($1, $2, $3, $4, $5, $6, 'QUEUED', $7, $8, '', $9) "
        "ON CONFLICT (order_id) DO NOTHING RETURNING id",
        {std::to_string(order.order_id), std::to_string(order.customer_id),
         std::to_string(order.model_id), order.model_key, order.material_id,
         std::to_string(order.quantity), ToJson(estimate).dump(),
         std::to_string(estimate.print_minutes), origin_traceparent});
    if (rows.empty()) return;  // the order has its job already
    JobChange change;
    change.job_id = std::stoll(rows.text(0, "id"));
    change.order_id = order.order_id;
    change.status = "QUEUED";
    change.event_id = JobEventId(order.order_id, 1, "QUEUED");
    change.origin_traceparent = origin_traceparent;
    change.sheet_key = sheet_key_prefix + std::to_string(change.job_id) + "/job-sheet.json";
    db.Execute("UPDATE jobs SET sheet_key = $2 WHERE id = $1",
               {std::to_string(change.job_id), change.sheet_key});
    InsertEvent(db, change, "mes-api");
    publish(change);  // throws: the transaction rolls back, the message is read again
    created = change.job_id;
  });
  return created;
}

void MesStore::Schedule(std::int64_t job_id, const std::string& printer_id) const {
  db_.Transaction([&](PgConnection& db) {
    const auto key = std::to_string(job_id);
    const auto rows = db.Execute(
        "SELECT j.status, j.estimate::text AS estimate, m.id, m.technology, m.density_g_cm3, "
        "m.rate_cm3_h FROM jobs j JOIN materials m ON m.id = j.material_id WHERE j.id = $1 "
        "FOR UPDATE OF j",
        {key});
    if (rows.empty()) throw HttpError(404, "job_not_found", "no such job");
    if (rows.text(0, "status") != "QUEUED")
      throw HttpError(409, "job_not_queued",
                      "only a QUEUED job can be scheduled (it is " + rows.text(0, "status") + ")");
    const auto printers =
        ReadPrinters(db.Execute(std::string(kPrinterQuery) + " WHERE id = $1", {printer_id}));
    if (printers.empty()) throw HttpError(404, "printer_not_found", "no such printer");
    if (printers[0].maintenance)
      throw HttpError(409, "printer_unavailable", "printer " + printer_id + " is in maintenance");
    const Material material{rows.text(0, "id"), rows.text(0, "technology"),
                            std::stod(rows.text(0, "density_g_cm3")),
                            std::stod(rows.text(0, "rate_cm3_h"))};
    if (CompatiblePrinters(EstimateFromJson(json::parse(rows.text(0, "estimate"))), material,
                           printers)
            .empty())
      throw HttpError(
          409, "printer_incompatible",
          "printer " + printer_id + " cannot print this job (technology, material or size)");
    db.Execute("UPDATE jobs SET printer_id = $2, updated_at = now() WHERE id = $1",
               {key, printer_id});
  });
}

bool MesStore::ChangeStatus(std::int64_t job_id, const std::string& status,
                            const std::string& reason, const std::string& actor,
                            const PublishChange& publish) const {
  bool changed = false;
  db_.Transaction([&](PgConnection& db) {
    const auto key = std::to_string(job_id);
    const auto rows = db.Execute(
        "SELECT j.order_id, j.status, j.printer_id, j.attempt, j.origin_traceparent, p.maintenance "
        "FROM jobs j LEFT JOIN printers p ON p.id = j.printer_id WHERE j.id = $1 FOR UPDATE OF j",
        {key});
    if (rows.empty()) throw HttpError(404, "job_not_found", "no such job");
    const auto from = rows.text(0, "status");
    const auto printer = rows.text(0, "printer_id");
    Transition transition;
    try {
      transition = CheckTransition(from, status, !printer.empty(), reason);
    } catch (const TransitionError& error) {
      throw HttpError(error.code == "reason_required" ? 400 : 409, error.code, error.what());
    }
    if (transition == Transition::kUnchanged) return;
    if (status == "PRINTING") {
      if (rows.text(0, "maintenance") == "t")
        throw HttpError(409, "printer_unavailable", "printer " + printer + " is in maintenance");
      const auto busy = db.Execute(
          "SELECT id FROM jobs WHERE printer_id = $1 AND status = 'PRINTING'", {printer});
      if (!busy.empty())
        throw HttpError(409, "printer_busy",
                        "printer " + printer + " is printing job " + busy.text(0, "id"));
    }
    JobChange change;
    change.job_id = job_id;
    change.order_id = std::stoll(rows.text(0, "order_id"));
    change.attempt = std::stoi(rows.text(0, "attempt")) + (transition == Transition::kReprint);
    change.status = status;
    change.reason = reason;
    change.event_id = JobEventId(change.order_id, change.attempt, status);
    change.origin_traceparent = rows.text(0, "origin_traceparent");
    change.printer_id = transition == Transition::kReprint ? "" : printer;
    db.Execute(
        "UPDATE jobs SET status = $2, reason = $3, attempt = $4, "
        "printer_id = CASE WHEN $5 THEN NULL ELSE printer_id END, "
        "started_at = CASE WHEN $2 = 'PRINTING' THEN now() ELSE started_at END, "
        "finished_at = CASE WHEN $2 IN ('DONE', 'FAILED') THEN now() WHEN $5 THEN NULL "
        "ELSE finished_at END, updated_at = now() WHERE id = $1",
        {key, status, status == "FAILED" ? reason : std::string(), std::to_string(change.attempt),
         transition == Transition::kReprint ? "true" : "false"});
    InsertEvent(db, change, actor);
    publish(change);  // throws: the transaction rolls back, the job keeps its status
    changed = true;
  });
  return changed;
}

void MesStore::SetMaintenance(const std::string& printer_id, bool maintenance) const {
  db_.Transaction([&](PgConnection& db) {
    const auto rows = db.Execute("SELECT id FROM printers WHERE id = $1 FOR UPDATE", {printer_id});
    if (rows.empty()) throw HttpError(404, "printer_not_found", "no such printer");
    if (maintenance &&
        !db.Execute("SELECT id FROM jobs WHERE printer_id = $1 AND status = 'PRINTING'",
                    {printer_id})
             .empty())
      throw HttpError(409, "printer_busy", "printer " + printer_id + " is printing");
    db.Execute("UPDATE printers SET maintenance = $2 WHERE id = $1",
               {printer_id, maintenance ? "true" : "false"});
  });
}

}  // namespace mes
