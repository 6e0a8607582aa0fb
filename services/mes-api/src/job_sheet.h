// The job sheet: the production artefact MES API stores beside the model when it creates
// a job (what to print, in what, how many, how long, on which printers).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "approved_order.h"
#include "estimate.h"

namespace mes {

nlohmann::json JobSheet(const ApprovedOrder& order, const Material& material,
                        const Estimate& estimate, std::int64_t job_id,
                        const std::vector<std::string>& compatible_printers);

}  // namespace mes
