// Fuzz target over the STL reader: any input either measures or fails with StlError.
// Built as a libFuzzer target when clang's fuzzer runtime is available; the test below
// drives the same target with a fixed number of seeded mutations on every test run.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>

#include "fabtrace/models/stl_reader.h"
#include "stl_samples.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto geometry = fabtrace::models::ReadStl({reinterpret_cast<const char*>(data), size});
    if (!(geometry.volume_mm3 >= 0) || geometry.triangles == 0) __builtin_trap();
  } catch (const fabtrace::models::StlError&) {
  }
  return 0;
}

namespace {

TEST(StlFuzz, TwentyThousandMutationsNeverCrash) {
  const std::vector<std::string> seeds = {
      fabtrace::models::testing::BinaryStl(fabtrace::models::testing::Cube(10)),
      fabtrace::models::testing::AsciiStl(fabtrace::models::testing::Cube(3))};
  std::mt19937 random(42);
  for (int i = 0; i < 20000; ++i) {
    auto input = seeds[static_cast<std::size_t>(i) % seeds.size()];
    const int edits = 1 + static_cast<int>(random() % 8);
    for (int e = 0; e < edits; ++e) {
      const auto at = random() % input.size();
      switch (random() % 4) {
        case 0:
          input[at] = static_cast<char>(random());
          break;
        case 1:
          input.erase(at, random() % 64);
          break;
        case 2:
          input.insert(at, std::string(random() % 16, static_cast<char>(random())));
          break;
        default:
          input.resize(at);
          break;
      }
      if (input.empty()) break;
    }
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
  }
}

}  // namespace
