// Every SQL statement of CRM API, on ShopDB (the shop's orders, customers and models,
// and CRM's own notes, approval outbox and applied production events).
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "fabtrace/db/postgres.h"
#include "fabtrace/http/validation.h"
#include "job_event.h"

namespace crm {

struct OrderFilter {
  std::optional<std::string> status;
  std::optional<std::int64_t> customer_id;
  std::optional<std::string> from, to;  // YYYY-MM-DD, inclusive
  fabtrace::http::Page page{50, 0};
};

enum class Approval { kApproved, kAlreadyApproved };

class CrmStore {
 public:
  explicit CrmStore(fabtrace::db::PgPool& db) : db_(db) {}

  nlohmann::json Orders(const OrderFilter& filter) const;
  // The order with its customer (id and display name), model (with "s3_key"), status
  // history and notes.
  std::optional<nlohmann::json> Order(std::int64_t id) const;
  // The order's model: its id and its object key in the 3d files storage.
  struct ModelFile {
    std::int64_t model_id = 0;
    std::string key;
  };
  std::optional<ModelFile> OrderModel(std::int64_t order_id) const;

  // Approves a NEW order and hands its orders.approved message to `publish` inside the
  // same transaction: when publishing throws, nothing is approved. An order approved
  // before is answered kAlreadyApproved and publishes nothing. Throws HttpError 404/409.
  Approval Approve(std::int64_t id, const std::string& manager,
                   const std::function<void(const nlohmann::json& message)>& publish) const;
  void Reject(std::int64_t id, const std::string& manager, const std::string& reason) const;
  void AddNote(std::int64_t id, const std::string& manager, const std::string& text) const;

  // Applies a production event once; false when it was applied before. Throws
  // std::invalid_argument for an event that cannot apply (unknown order).
  bool ApplyJobEvent(const JobEvent& event) const;

 private:
  fabtrace::db::PgPool& db_;
};

}  // namespace crm
