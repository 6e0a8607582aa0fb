#include "crm_store.h"

#include <stdexcept>

#include "fabtrace/db/conditions.h"
#include "fabtrace/http/message.h"

namespace crm {
namespace {

using fabtrace::db::PgConnection;
using fabtrace::http::HttpError;
using nlohmann::json;

json OrderRow(const fabtrace::db::Result& rows, std::size_t i) {
  return {{"id", std::stoll(rows.text(i, "id"))},
          {"customer",
           {{"id", std::stoll(rows.text(i, "customer_id"))},
            {"display_name", rows.text(i, "display_name")}}},
          {"model_id", std::stoll(rows.text(i, "model_id"))},
          {"material_id", rows.text(i, "material_id")},
          {"quantity", std::stoi(rows.text(i, "quantity"))},
          {"total_cents", std::stoll(rows.text(i, "total_cents"))},
          {"status", rows.text(i, "status")},
          {"created_at", rows.text(i, "created_at")}};
}

constexpr const char* kOrderColumns =
    "o.id, o.customer_id, c.display_name, o.model_id, o.material_id, o.quantity, "
    "o.unit_price_cents, o.total_cents, o.status, o.created_at";

// The order's status, locked for the rest of the transaction; 404 when there is none.
std::string LockedStatus(PgConnection& db, std::int64_t id) {
  const auto rows =
      db.Execute("SELECT status FROM orders WHERE id = $1 FOR UPDATE", {std::to_string(id)});
  if (rows.empty()) throw HttpError(404, "order_not_found", "no such order");
  return rows.text(0, "status");
}

void ChangeStatus(PgConnection& db, std::int64_t id, const std::string& status,
                  const std::string& note) {
  db.Execute("UPDATE orders SET status = $2 WHERE id = $1", {std::to_string(id), status});
  db.Execute("INSERT INTO order_status_history (order_id, status, note) VALUES ($1, $2, $3)",
             {std::to_string(id), status, note});
}

}  // namespace

json CrmStore::Orders(const OrderFilter& filter) const {
  fabtrace::db::Conditions where;
  if (filter.status) where.Add("o.status = {}", *filter.status);
  if (filter.customer_id) where.Add("o.customer_id = {}", std::to_string(*filter.customer_id));
  if (filter.from) where.Add("o.created_at >= {}", *filter.from);
  if (filter.to) where.Add("o.created_at < {}::date + 1", *filter.to);
  return where
      .SelectPage(db_,
                  std::string("SELECT ") + kOrderColumns +
                      " FROM orders o JOIN customers c ON c.id = o.customer_id",
                  "o.id DESC", filter.page.limit, filter.page.offset)
      .Map(OrderRow);
}

std::optional<json> CrmStore::Order(std::int64_t id) const {
  const auto key = std::to_string(id);
  const auto rows =
      db_.Execute(std::string("SELECT ") + kOrderColumns +
                      ", m.filename, m.s3_key, m.triangles, m.volume_mm3, m.bbox_mm::text AS bbox "
                      "FROM orders o JOIN customers c ON c.id = o.customer_id "
                      "JOIN models m ON m.id = o.model_id WHERE o.id = $1",
                  {key});
  if (rows.empty()) return std::nullopt;
  auto order = OrderRow(rows, 0);
  order["unit_price_cents"] = std::stoll(rows.text(0, "unit_price_cents"));
  const auto bbox = rows.text(0, "bbox");
  order["model"] = {{"id", order["model_id"]},
                    {"filename", rows.text(0, "filename")},
                    {"triangles", std::stoll(rows.text(0, "triangles"))},
                    {"volume_cm3", std::stod(rows.text(0, "volume_mm3")) / 1000.0},
                    {"bbox_mm", json::parse("[" + bbox.substr(1, bbox.size() - 2) + "]")},
                    {"s3_key", rows.text(0, "s3_key")}};
  const auto history = db_.Execute(
      "SELECT status, changed_at, note FROM order_status_history WHERE order_id = $1 ORDER BY id",
      {key});
  order["history"] = json::array();
  for (std::size_t i = 0; i < history.size(); ++i) {
    order["history"].push_back({{"status", history.text(i, "status")},
                                {"changed_at", history.text(i, "changed_at")},
                                {"note", history.text(i, "note")}});
  }
  const auto notes = db_.Execute(
      "SELECT author, text, created_at FROM order_notes WHERE order_id = $1 ORDER BY id", {key});
  order["notes"] = json::array();
  for (std::size_t i = 0; i < notes.size(); ++i) {
    order["notes"].push_back({{"author", notes.text(i, "author")},
                              {"text", notes.text(i, "text")},
                              {"created_at", notes.text(i, "created_at")}});
  }
  return order;
}

std::optional<CrmStore::ModelFile> CrmStore::OrderModel(std::int64_t order_id) const {
  const auto rows = db_.Execute(
      "SELECT m.id, m.s3_key FROM orders o JOIN models m ON m.id = o.model_id WHERE o.id = $1",
      {std::to_string(order_id)});
  if (rows.empty()) return std::nullopt;
  return ModelFile{std::stoll(rows.text(0, "id")), rows.text(0, "s3_key")};
}

Approval CrmStore::Approve(std::int64_t id, const std::string& manager,
                           const std::function<void(const json&)>& publish) const {
  auto outcome = Approval::kApproved;
  db_.Transaction([&](PgConnection& db) {
    const auto status = LockedStatus(db, id);
    const auto key = std::to_string(id);
    if (!db.Execute("SELECT 1 FROM approval_outbox WHERE order_id = $1", {key}).empty()) {
      outcome = Approval::kAlreadyApproved;  // a retried approval sends nothing again
      return;
    }
    if (status != "NEW")
      throw HttpError(409, "order_not_new",
                      "only a NEW order can be approved (it is " + status + ")");
    const auto rows = db.Execute(
        "SELECT o.customer_id, o.model_id, m.s3_key, o.material_id, o.quantity "
        "FROM orders o JOIN models m ON m.id = o.model_id WHERE o.id = $1",
        {key});
    const json message = {{"order_id", id},
                          {"customer_id", std::stoll(rows.text(0, "customer_id"))},
                          {"model_id", std::stoll(rows.text(0, "model_id"))},
                          {"model_key", rows.text(0, "s3_key")},
                          {"material_id", rows.text(0, "material_id")},
                          {"quantity", std::stoi(rows.text(0, "quantity"))}};
    ChangeStatus(db, id, "APPROVED", "approved by " + manager);
    db.Execute("INSERT INTO approval_outbox (order_id, payload, approved_by) VALUES ($1, $2, $3)",
               {key, message.dump(), manager});
    publish(message);  // throws: the transaction rolls back, the order stays NEW
    db.Execute("UPDATE approval_outbox SET sent_at = now() WHERE order_id = $1", {key});
  });
  return outcome;
}

void CrmStore::Reject(std::int64_t id, const std::string& manager,
                      const std::string& reason) const {
  db_.Transaction([&](PgConnection& db) {
    const auto status = LockedStatus(db, id);
    if (status != "NEW" && status != "PRODUCTION_FAILED") {
      throw HttpError(
          409, "order_not_rejectable",
          "only a NEW order or one production gave back can be rejected (it is " + status + ")");
    }
    ChangeStatus(db, id, "REJECTED", "rejected by " + manager + ": " + reason);
  });
}

void CrmStore::AddNote(std::int64_t id, const std::string& manager, const std::string& text) const {
  const auto rows = db_.Execute(
      "INSERT INTO order_notes (order_id, author, text) SELECT id, $2, $3 FROM orders WHERE id = "
      "$1 "
      "RETURNING id",
      {std::to_string(id), manager, text});
  if (rows.empty()) throw HttpError(404, "order_not_found", "no such order");
}

bool CrmStore::ApplyJobEvent(const JobEvent& event) const {
  bool applied = false;
  db_.Transaction([&](PgConnection& db) {
    const auto key = std::to_string(event.order_id);
    const auto fresh = db.Execute(
        "INSERT INTO applied_job_events (event_id, order_id) VALUES ($1, $2) "
        "ON CONFLICT (event_id) DO NOTHING RETURNING event_id",
        {event.event_id, key});
    if (fresh.empty()) return;  // applied before: nothing changes twice
    const auto rows = db.Execute("SELECT status FROM orders WHERE id = $1 FOR UPDATE", {key});
    if (rows.empty()) throw std::invalid_argument("jobs.status for unknown order " + key);
    const auto current = rows.text(0, "status");
    const auto target = OrderStatusFor(event.status);
    const auto note = "job " + std::to_string(event.job_id) + " " + event.status +
                      (event.reason.empty() ? "" : ": " + event.reason);
    if (current == "REJECTED" || current == "CANCELLED") {
      // Production works on an order the company gave up: keep the decision, record the news.
      db.Execute("INSERT INTO order_status_history (order_id, status, note) VALUES ($1, $2, $3)",
                 {key, current, note + " (the order stays " + current + ")"});
    } else if (current == target) {
      db.Execute("INSERT INTO order_status_history (order_id, status, note) VALUES ($1, $2, $3)",
                 {key, target, note});
    } else {
      if (current == "NEW") {
        // The approval's message reached Kafka although its request failed (the broker took
        // it, its acknowledgement never came back): production has the order, so it is
        // approved. Its outbox row makes a later approval click answer "already approved".
        ChangeStatus(db, event.order_id, "APPROVED",
                     "approval delivered to production after its request had failed");
        db.Execute(
            "INSERT INTO approval_outbox (order_id, payload, approved_by, sent_at) "
            "VALUES ($1, '{}', '(confirmed by production)', now()) ON CONFLICT DO NOTHING",
            {key});
      }
      ChangeStatus(db, event.order_id, target, note);
    }
    applied = true;
  });
  return applied;
}

}  // namespace crm
