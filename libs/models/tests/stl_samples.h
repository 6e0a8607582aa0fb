// STL files made by the tests: a 10 mm cube in binary and ASCII form.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

namespace fabtrace::models::testing {

using Triangle = std::array<std::array<float, 3>, 3>;

inline std::vector<Triangle> Cube(float side) {
  const float s = side;
  const std::array<std::array<float, 3>, 8> p{
      {{0, 0, 0}, {s, 0, 0}, {s, s, 0}, {0, s, 0}, {0, 0, s}, {s, 0, s}, {s, s, s}, {0, s, s}}};
  const int faces[12][3] = {{0, 2, 1}, {0, 3, 2}, {4, 5, 6}, {4, 6, 7}, {0, 1, 5}, {0, 5, 4},
                            {1, 2, 6}, {1, 6, 5}, {2, 3, 7}, {2, 7, 6}, {3, 0, 4}, {3, 4, 7}};
  std::vector<Triangle> triangles;
  for (const auto& f : faces) triangles.push_back({p[f[0]], p[f[1]], p[f[2]]});
  return triangles;
}

inline std::string BinaryStl(const std::vector<Triangle>& triangles, std::uint32_t announced) {
  std::string data(80, ' ');
  data.append(reinterpret_cast<const char*>(&announced), 4);
  for (const auto& t : triangles) {
    data.append(12, '\0');  // normal: readers recompute it
    for (const auto& v : t) data.append(reinterpret_cast<const char*>(v.data()), 12);
    data.append(2, '\0');
  }
  return data;
}

inline std::string BinaryStl(const std::vector<Triangle>& triangles) {
  return BinaryStl(triangles, static_cast<std::uint32_t>(triangles.size()));
}

inline std::string AsciiStl(const std::vector<Triangle>& triangles) {
  std::ostringstream out;
  out << "solid cube\n";
  for (const auto& t : triangles) {
    out << "  facet normal 0 0 0\n    outer loop\n";
    for (const auto& v : t) out << "      vertex " << v[0] << " " << v[1] << " " << v[2] << "\n";
    out << "    endloop\n  endfacet\n";
  }
  out << "endsolid cube\n";
  return out.str();
}

}  // namespace fabtrace::models::testing
