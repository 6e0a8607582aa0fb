// Reading 3D models in STL (binary and ASCII) and measuring them: the service computes
// volume, surface and bounding box itself. Untrusted input: every malformed file is a
// StlError with a code, never a crash.
#pragma once

#include <array>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace fabtrace::models {

struct StlError : std::runtime_error {
  StlError(std::string error_code, const std::string& message)
      : std::runtime_error(message), code(std::move(error_code)) {}
  std::string
      code;  // not_stl, truncated, triangle_count_mismatch, too_large, empty, invalid_number, ...
};

struct ModelGeometry {
  std::string format;  // "binary" or "ascii"
  std::size_t triangles = 0;
  double volume_mm3 = 0;  // of the closed mesh, by the divergence theorem
  double surface_mm2 = 0;
  std::array<double, 3> min{}, max{};  // bounding box, mm

  double volume_cm3() const { return volume_mm3 / 1000.0; }
};

struct StlLimits {
  std::size_t max_bytes = 50u << 20;
  std::size_t max_triangles = 2'000'000;
};

ModelGeometry ReadStl(std::string_view data, const StlLimits& limits = {});

}  // namespace fabtrace::models
