// Memory for spans, kept by each thread for its next span. A span lives for part of one
// request: allocating it from the heap, and freeing it, cost a traced request two of the
// allocator's small chunks each time, and the allocator later merges the chunks that pile
// up (docs/performance.md, "the sixth pass"). A thread keeps up to kKept freed blocks and
// hands them out again; a block freed on another thread joins that thread's blocks.
#pragma once

#include <cstddef>
#include <new>

namespace fabtrace::telemetry::detail {

class SpanBlocks {
 public:
  // Every block has this many bytes; bigger requests go to the heap.
  static constexpr std::size_t kBlockSize = 256;
  static constexpr int kKept = 64;

  static void* Take(std::size_t size) {
    if (size <= kBlockSize && kept_.head != nullptr) {
      void* block = kept_.head;
      kept_.head = *static_cast<void**>(block);
      --kept_.count;
      return block;
    }
    return ::operator new(size <= kBlockSize ? kBlockSize : size);
  }

  // How many blocks the calling thread keeps (kKept once it has ended: none are kept).
  static int kept() noexcept { return kept_.count; }

  static void GiveBack(void* block, std::size_t size) noexcept {
    if (size <= kBlockSize && kept_.count < kKept) {
      ReleaseAtThreadExit();
      *static_cast<void**>(block) = kept_.head;
      kept_.head = block;
      ++kept_.count;
      return;
    }
    ::operator delete(block);
  }

 private:
  // Trivially destructible, so usable while the thread's other objects are destroyed.
  struct Kept {
    void* head = nullptr;
    int count = 0;
  };
  // Frees the kept blocks when the thread ends; blocks freed after that go to the heap.
  struct Release {
    Release() noexcept {}  // NOLINT: user-provided, so the object is built on first use
    ~Release();
  };
  static void ReleaseAtThreadExit() noexcept;

  static thread_local Kept kept_;
};

// An allocator for std::allocate_shared of a span: its control block and the span in one
// of the blocks above.
template <typename T>
struct SpanBlockAllocator {
  using value_type = T;
  SpanBlockAllocator() = default;
  template <typename U>
  SpanBlockAllocator(const SpanBlockAllocator<U>&) noexcept {}  // NOLINT: rebinding

  T* allocate(std::size_t n) { return static_cast<T*>(SpanBlocks::Take(n * sizeof(T))); }
  void deallocate(T* block, std::size_t n) noexcept { SpanBlocks::GiveBack(block, n * sizeof(T)); }

  template <typename U>
  bool operator==(const SpanBlockAllocator<U>&) const noexcept {
    return true;
  }
};

}  // namespace fabtrace::telemetry::detail
