// The print estimate MES API computes itself from the model's geometry, the material and
// its technology, and which printers can take the job.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "fabtrace/models/stl_reader.h"

namespace mes {

struct Material {
  std::string id;
  std::string technology;  // FDM, SLA, SLS
  double density_g_cm3 = 1;
  double rate_cm3_h = 1;
};

struct Printer {
  std::string id;
  std::string technology;
  std::vector<std::string> materials;
  std::array<double, 3> build_mm{};
  bool maintenance = false;
};

struct Estimate {
  double volume_cm3 = 0;            // of one part
  std::array<double, 3> bbox_mm{};  // of one part
  std::size_t triangles = 0;
  double material_grams = 0;  // all parts
  int print_minutes = 0;      // all parts, set-up included
  int layers = 0;
};

// FDM prints the parts one after the other (volume over deposition rate, plus travel per
// layer); SLA and SLS build all parts on one plate (time per layer, plus exposure or
// sintering per volume). Throws std::invalid_argument for an unknown technology or quantity
// outside 1..1000.
Estimate EstimatePrint(const fabtrace::models::ModelGeometry& geometry, const Material& material,
                       int quantity);

// The printers of the material's technology that print it and whose build volume holds
// the part in some axis-aligned orientation (maintenance does not matter here).
std::vector<std::string> CompatiblePrinters(const Estimate& estimate, const Material& material,
                                            const std::vector<Printer>& printers);

}  // namespace mes

#include <nlohmann/json.hpp>

namespace mes {

nlohmann::json ToJson(const Estimate& estimate);
// Reads an estimate written by ToJson; throws nlohmann::json::exception when it is not one.
Estimate EstimateFromJson(const nlohmann::json& json);

}  // namespace mes
