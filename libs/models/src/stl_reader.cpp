#include "fabtrace/models/stl_reader.h"

#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

namespace fabtrace::models {
namespace {

using Vec = std::array<double, 3>;

class Measure {
 public:
  void Add(const Vec& a, const Vec& b, const Vec& c) {
    for (const auto* v : {&a, &b, &c}) {
      for (int i = 0; i < 3; ++i) {
        if (!std::isfinite((*v)[i]))
          throw StlError("invalid_number", "a vertex coordinate is not a finite number");
        if (geometry_.triangles == 0 && v == &a) {
          geometry_.min[i] = geometry_.max[i] = (*v)[i];
        }
        geometry_.min[i] = std::min(geometry_.min[i], (*v)[i]);
        geometry_.max[i] = std::max(geometry_.max[i], (*v)[i]);
      }
    }
    const Vec ab{b[0] - a[0], b[1] - a[1], b[2] - a[2]};
    const Vec ac{c[0] - a[0], c[1] - a[1], c[2] - a[2]};
    const Vec cross{ab[1] * ac[2] - ab[2] * ac[1], ab[2] * ac[0] - ab[0] * ac[2],
                    ab[0] * ac[1] - ab[1] * ac[0]};
    surface_ += std::sqrt(cross[0] * cross[0] + cross[1] * cross[1] + cross[2] * cross[2]) / 2.0;
    // Signed volume of the tetrahedron (origin, a, b, c).
    signed_volume_ += (a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0]) +
                       a[2] * (b[0] * c[1] - b[1] * c[0])) /
                      6.0;
    ++geometry_.triangles;
  }

  ModelGeometry Finish(std::string format) {
    if (geometry_.triangles == 0) throw StlError("empty", "the model has no triangles");
    geometry_.format = std::move(format);
    geometry_.volume_mm3 = std::abs(signed_volume_);
    geometry_.surface_mm2 = surface_;
    return geometry_;
  }

  std::size_t triangles() const { return geometry_.triangles; }

 private:
  ModelGeometry geometry_;
  double surface_ = 0, signed_volume_ = 0;
};

float ReadFloat(const char* at) {
  float value;
  std::memcpy(&value, at, sizeof value);  // STL is little-endian, as is this machine
  return value;
}

ModelGeometry ReadBinary(std::string_view data, std::uint32_t count) {
  Measure measure;
  const char* facet = data.data() + 84;
  for (std::uint32_t i = 0; i < count; ++i, facet += 50) {
    Vec v[3];
    for (int k = 0; k < 3; ++k) {
      for (int j = 0; j < 3; ++j) v[k][j] = ReadFloat(facet + 12 + 12 * k + 4 * j);
    }
    measure.Add(v[0], v[1], v[2]);
  }
  return measure.Finish("binary");
}

class Tokens {
 public:
  explicit Tokens(std::string_view text) : text_(text) {}

  std::string_view Next() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    const auto start = pos_;
    while (pos_ < text_.size() && !std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    at_end_ = pos_ == text_.size();
    return text_.substr(start, pos_ - start);
  }

  void Expect(std::string_view word) {
    const auto got = Next();
    if (got.empty() || CutOff(got, word)) {
      throw StlError("truncated", "the ASCII STL ends before '" + std::string(word) + "'");
    }
    if (got != word) {
      throw StlError("not_stl", "expected '" + std::string(word) + "' but found '" +
                                    std::string(got.substr(0, 32)) + "'");
    }
  }

  double Number() {
    const auto word = Next();
    if (word.empty()) throw StlError("truncated", "the ASCII STL ends inside a vertex");
    if (word.size() > 64) throw StlError("invalid_number", "a number is too long");
    char buffer[65];
    std::memcpy(buffer, word.data(), word.size());
    buffer[word.size()] = '\0';
    char* end = nullptr;
    const double value = std::strtod(buffer, &end);
    if (end != buffer + word.size())
      throw StlError("invalid_number", "'" + std::string(word) + "' is not a number");
    return value;
  }

  // A word cut off by the end of the file: a truncated file, not a foreign one.
  bool CutOff(std::string_view got, std::string_view word) const {
    return at_end_ && word.substr(0, got.size()) == got;
  }

  // Skips the rest of the current line (the solid's name).
  void SkipLine() {
    while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  bool at_end_ = false;
};

ModelGeometry ReadAscii(std::string_view data, const StlLimits& limits) {
  Tokens tokens(data);
  tokens.Expect("solid");
  tokens.SkipLine();
  Measure measure;
  while (true) {
    const auto word = tokens.Next();
    if (word == "endsolid") break;
    if (word.empty() || tokens.CutOff(word, "facet") || tokens.CutOff(word, "endsolid")) {
      throw StlError("truncated", "the ASCII STL ends without 'endsolid'");
    }
    if (word != "facet")
      throw StlError("not_stl",
                     "expected 'facet' but found '" + std::string(word.substr(0, 32)) + "'");
    if (measure.triangles() >= limits.max_triangles) {
      throw StlError("too_many_triangles", "the model has more than " +
                                               std::to_string(limits.max_triangles) + " triangles");
    }
    tokens.Expect("normal");
    for (int i = 0; i < 3; ++i) tokens.Number();
    tokens.Expect("outer");
    tokens.Expect("loop");
    Vec v[3];
    for (auto& vertex : v) {
      tokens.Expect("vertex");
      for (auto& coordinate : vertex) coordinate = tokens.Number();
    }
    tokens.Expect("endloop");
    tokens.Expect("endfacet");
    measure.Add(v[0], v[1], v[2]);
  }
  return measure.Finish("ascii");
}

bool LooksAscii(std::string_view data) {
  std::size_t start = 0;
  while (start < data.size() && std::isspace(static_cast<unsigned char>(data[start]))) ++start;
  return data.substr(start, 5) == "solid" && data.find("facet") != std::string_view::npos;
}

}  // namespace

ModelGeometry ReadStl(std::string_view data, const StlLimits& limits) {
  if (data.size() > limits.max_bytes) {
    throw StlError("too_large",
                   "the file is larger than " + std::to_string(limits.max_bytes >> 20) + " MiB");
  }
  if (data.empty()) throw StlError("empty", "the file is empty");
  if (data.size() >= 84) {
    std::uint32_t count;
    std::memcpy(&count, data.data() + 80, sizeof count);
    const auto expected = 84 + 50 * static_cast<std::uint64_t>(count);
    if (expected == data.size()) {
      if (count > limits.max_triangles) {
        throw StlError(
            "too_many_triangles",
            "the model has more than " + std::to_string(limits.max_triangles) + " triangles");
      }
      return ReadBinary(data, count);
    }
    // Binary files may begin with "solid" too; only a consistent size makes them binary.
    if (!LooksAscii(data)) {
      if (count > 0 && count <= limits.max_triangles && expected > data.size()) {
        throw StlError("truncated", "the header announces " + std::to_string(count) +
                                        " triangles, the file holds " +
                                        std::to_string((data.size() - 84) / 50));
      }
      throw StlError("triangle_count_mismatch", "the header announces " + std::to_string(count) +
                                                    " triangles but the file size does not match");
    }
  }
  if (!LooksAscii(data)) throw StlError("not_stl", "the file is neither binary nor ASCII STL");
  return ReadAscii(data, limits);
}

}  // namespace fabtrace::models
