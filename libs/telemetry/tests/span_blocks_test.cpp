#include "span_blocks.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <thread>
#include <vector>

namespace fabtrace::telemetry::detail {
namespace {

TEST(SpanBlocks, ABlockGivenBackIsHandedOutAgainOnTheSameThread) {
  void* first = SpanBlocks::Take(100);
  const int kept = SpanBlocks::kept();
  SpanBlocks::GiveBack(first, 100);
  EXPECT_EQ(SpanBlocks::kept(), kept + 1);
  void* again = SpanBlocks::Take(120);
  EXPECT_EQ(again, first);
  SpanBlocks::GiveBack(again, 120);
}

TEST(SpanBlocks, ABiggerRequestComesFromTheHeapWhole) {
  auto* big = static_cast<char*>(SpanBlocks::Take(SpanBlocks::kBlockSize + 1000));
  big[SpanBlocks::kBlockSize + 999] = 1;  // its whole size is usable
  SpanBlocks::GiveBack(big, SpanBlocks::kBlockSize + 1000);
}

TEST(SpanBlocks, AThreadKeepsAtMostItsShareAndHandsOutEveryBlockOnce) {
  std::vector<void*> blocks;
  for (int i = 0; i < 3 * SpanBlocks::kKept; ++i) blocks.push_back(SpanBlocks::Take(64));
  for (void* block : blocks) SpanBlocks::GiveBack(block, 64);
  EXPECT_EQ(SpanBlocks::kept(), SpanBlocks::kKept);
  std::vector<void*> taken;
  for (int i = 0; i < 3 * SpanBlocks::kKept; ++i) taken.push_back(SpanBlocks::Take(64));
  std::sort(taken.begin(), taken.end());
  EXPECT_EQ(std::adjacent_find(taken.begin(), taken.end()), taken.end());
  for (void* block : taken) SpanBlocks::GiveBack(block, 64);
}

struct Probe {
  explicit Probe(int number) : value(number) {}
  int value;
  char payload[96] = {};
};

TEST(SpanBlocks, SharedObjectsOutliveTheThreadThatMadeThemAndFreeElsewhere) {
  std::vector<std::shared_ptr<Probe>> made;
  std::thread maker([&] {
    for (int i = 0; i < 10; ++i) {
      made.push_back(std::allocate_shared<Probe>(SpanBlockAllocator<Probe>(), i));
    }
    auto freed_here = std::allocate_shared<Probe>(SpanBlockAllocator<Probe>(), -1);
    freed_here.reset();  // kept by this thread, then released when it ends
  });
  maker.join();
  for (int i = 0; i < 10; ++i) EXPECT_EQ(made[static_cast<std::size_t>(i)]->value, i);
  made.clear();  // kept by this thread now
  auto reused = std::allocate_shared<Probe>(SpanBlockAllocator<Probe>(), 7);
  EXPECT_EQ(reused->value, 7);
}

// An object freed while its thread ends, after the thread's blocks were released, goes
// to the heap: nothing is kept for a thread that has ended.
TEST(SpanBlocks, ObjectsFreedAfterTheThreadReleasedItsBlocksGoToTheHeap) {
  static std::atomic<int> kept_after_release{-1};
  struct Holder {
    std::shared_ptr<Probe> probe;
    ~Holder() {
      probe.reset();
      kept_after_release = SpanBlocks::kept();
    }
  };
  std::thread worker([] {
    thread_local Holder holder;  // built before the release, so destroyed after it
    holder.probe = std::allocate_shared<Probe>(SpanBlockAllocator<Probe>(), 2);
    auto first = std::allocate_shared<Probe>(SpanBlockAllocator<Probe>(), 1);
    first.reset();
    EXPECT_EQ(SpanBlocks::kept(), 1);
  });
  worker.join();
  EXPECT_EQ(kept_after_release.load(), SpanBlocks::kKept);
}

}  // namespace
}  // namespace fabtrace::telemetry::detail
