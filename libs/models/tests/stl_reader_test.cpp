#include "fabtrace/models/stl_reader.h"

#include <gtest/gtest.h>

#include <cmath>

#include "stl_samples.h"

namespace fabtrace::models {
namespace {

std::string ErrorCode(const std::string& data, const StlLimits& limits = {}) {
  try {
    ReadStl(data, limits);
  } catch (const StlError& error) {
    return error.code;
  }
  return "no error";
}

TEST(StlReader, BinaryCube) {
  const auto geometry = ReadStl(testing::BinaryStl(testing::Cube(10)));
  EXPECT_EQ(geometry.format, "binary");
  EXPECT_EQ(geometry.triangles, 12u);
  EXPECT_NEAR(geometry.volume_mm3, 1000.0, 1e-6);
  EXPECT_NEAR(geometry.volume_cm3(), 1.0, 1e-9);
  EXPECT_NEAR(geometry.surface_mm2, 600.0, 1e-6);
  EXPECT_EQ(geometry.min, (std::array<double, 3>{0, 0, 0}));
  EXPECT_EQ(geometry.max, (std::array<double, 3>{10, 10, 10}));
}

TEST(StlReader, AsciiCubeMatchesBinary) {
  const auto geometry = ReadStl(testing::AsciiStl(testing::Cube(20)));
  EXPECT_EQ(geometry.format, "ascii");
  EXPECT_EQ(geometry.triangles, 12u);
  EXPECT_NEAR(geometry.volume_mm3, 8000.0, 1e-6);
  EXPECT_NEAR(geometry.surface_mm2, 2400.0, 1e-6);
}

TEST(StlReader, InsideOutMeshStillHasPositiveVolume) {
  auto cube = testing::Cube(10);
  for (auto& t : cube) std::swap(t[1], t[2]);
  EXPECT_NEAR(ReadStl(testing::BinaryStl(cube)).volume_mm3, 1000.0, 1e-6);
}

TEST(StlReader, BinaryStartingWithSolidIsStillBinary) {
  auto data = testing::BinaryStl(testing::Cube(10));
  data.replace(0, 5, "solid");
  EXPECT_EQ(ReadStl(data).format, "binary");
}

TEST(StlReader, TruncatedFiles) {
  const auto binary = testing::BinaryStl(testing::Cube(10));
  EXPECT_EQ(ErrorCode(binary.substr(0, binary.size() - 30)), "truncated");
  const auto ascii = testing::AsciiStl(testing::Cube(10));
  EXPECT_EQ(ErrorCode(ascii.substr(0, ascii.size() / 2)), "truncated");
}

TEST(StlReader, LyingTriangleCount) {
  EXPECT_EQ(ErrorCode(testing::BinaryStl(testing::Cube(10), 3)), "triangle_count_mismatch");
  EXPECT_EQ(ErrorCode(testing::BinaryStl(testing::Cube(10), 14)), "truncated");
  EXPECT_EQ(ErrorCode(testing::BinaryStl(testing::Cube(10), 4'000'000'000u)),
            "triangle_count_mismatch");
}

TEST(StlReader, NotStl) {
  EXPECT_EQ(ErrorCode(""), "empty");
  EXPECT_EQ(ErrorCode("hello world"), "not_stl");
  EXPECT_EQ(ErrorCode(std::string("\x89PNG\r\n\x1a\n", 8) + std::string(200, 'x')),
            "triangle_count_mismatch");
  EXPECT_EQ(ErrorCode("solid x\n facet normal 0 0 0\n outer loop\n vertex 1 2 three\n"),
            "invalid_number");
  EXPECT_EQ(ErrorCode("solid x\n facet normal 0 0 0\n inner loop\n"), "not_stl");
  EXPECT_EQ(ErrorCode(testing::BinaryStl({})), "empty");
}

TEST(StlReader, NonFiniteCoordinatesAreRejected) {
  auto cube = testing::Cube(10);
  cube[3][1][2] = std::nanf("");
  EXPECT_EQ(ErrorCode(testing::BinaryStl(cube)), "invalid_number");
}

TEST(StlReader, HugeFilesAndTooManyTriangles) {
  StlLimits limits;
  limits.max_bytes = 500;
  EXPECT_EQ(ErrorCode(testing::BinaryStl(testing::Cube(10)), limits), "too_large");
  limits = {};
  limits.max_triangles = 11;
  EXPECT_EQ(ErrorCode(testing::BinaryStl(testing::Cube(10)), limits), "too_many_triangles");
  EXPECT_EQ(ErrorCode(testing::AsciiStl(testing::Cube(10)), limits), "too_many_triangles");
}

}  // namespace
}  // namespace fabtrace::models
