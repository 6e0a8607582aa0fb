#include "estimate.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace mes {
namespace {

struct Technology {
  double layer_mm;
  double setup_minutes;
  double seconds_per_layer;  // FDM: travel between layers; SLA/SLS: recoat and expose
};

Technology TechnologyOf(const std::string& name) {
  if (name == "FDM") return {0.2, 10, 2};
  if (name == "SLA") return {0.05, 20, 8};
  if (name == "SLS") return {0.1, 60, 12};
  throw std::invalid_argument("unknown print technology '" + name + "'");
}

}  // namespace

Estimate EstimatePrint(const fabtrace::models::ModelGeometry& geometry, const Material& material,
                       int quantity) {
  if (quantity < 1 || quantity > 1000)
    throw std::invalid_argument("quantity must be between 1 and 1000");
  const auto technology = TechnologyOf(material.technology);
  Estimate estimate;
  estimate.volume_cm3 = geometry.volume_cm3();
  estimate.triangles = geometry.triangles;
  for (std::size_t axis = 0; axis < 3; ++axis)
    estimate.bbox_mm[axis] = geometry.max[axis] - geometry.min[axis];
  estimate.layers =
      std::max(1, static_cast<int>(std::ceil(estimate.bbox_mm[2] / technology.layer_mm)));
  estimate.material_grams = estimate.volume_cm3 * material.density_g_cm3 * quantity;
  const double per_volume_minutes = estimate.volume_cm3 / material.rate_cm3_h * 60.0;
  const double layer_minutes = estimate.layers * technology.seconds_per_layer / 60.0;
  double minutes = technology.setup_minutes;
  if (material.technology == "FDM") {
    minutes += quantity * (per_volume_minutes + layer_minutes);
  } else {
    minutes += layer_minutes + quantity * per_volume_minutes;
  }
  estimate.print_minutes = static_cast<int>(std::ceil(minutes));
  return estimate;
}

std::vector<std::string> CompatiblePrinters(const Estimate& estimate, const Material& material,
                                            const std::vector<Printer>& printers) {
  auto part = estimate.bbox_mm;
  std::sort(part.begin(), part.end());
  std::vector<std::string> compatible;
  for (const auto& printer : printers) {
    if (printer.technology != material.technology) continue;
    if (std::find(printer.materials.begin(), printer.materials.end(), material.id) ==
        printer.materials.end())
      continue;
    auto room = printer.build_mm;
    std::sort(room.begin(), room.end());
    if (part[0] <= room[0] && part[1] <= room[1] && part[2] <= room[2])
      compatible.push_back(printer.id);
  }
  return compatible;
}

}  // namespace mes

namespace mes {

nlohmann::json ToJson(const Estimate& estimate) {
  const auto round = [](double value, double scale) { return std::round(value * scale) / scale; };
  return {{"volume_cm3", round(estimate.volume_cm3, 1000)},
          {"bbox_mm",
           {round(estimate.bbox_mm[0], 100), round(estimate.bbox_mm[1], 100),
            round(estimate.bbox_mm[2], 100)}},
          {"triangles", estimate.triangles},
          {"material_grams", round(estimate.material_grams, 10)},
          {"print_minutes", estimate.print_minutes},
          {"layers", estimate.layers}};
}

Estimate EstimateFromJson(const nlohmann::json& json) {
  Estimate estimate;
  estimate.volume_cm3 = json.at("volume_cm3").get<double>();
  for (std::size_t axis = 0; axis < 3; ++axis)
    estimate.bbox_mm[axis] = json.at("bbox_mm").at(axis).get<double>();
  estimate.triangles = json.at("triangles").get<std::size_t>();
  estimate.material_grams = json.at("material_grams").get<double>();
  estimate.print_minutes = json.at("print_minutes").get<int>();
  estimate.layers = json.at("layers").get<int>();
  return estimate;
}

}  // namespace mes
