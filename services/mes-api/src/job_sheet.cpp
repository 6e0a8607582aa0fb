#include "job_sheet.h"

namespace mes {

nlohmann::json JobSheet(const ApprovedOrder& order, const Material& material,
                        const Estimate& estimate, std::int64_t job_id,
                        const std::vector<std::string>& compatible_printers) {
  return {{"job_id", job_id},
          {"order_id", order.order_id},
          {"model", {{"id", order.model_id}, {"key", order.model_key}}},
          {"material", {{"id", material.id}, {"technology", material.technology}}},
          {"quantity", order.quantity},
          {"estimate", ToJson(estimate)},
          {"compatible_printers", compatible_printers}};
}

}  // namespace mes
