#include "span_blocks.h"

namespace fabtrace::telemetry::detail {

thread_local SpanBlocks::Kept SpanBlocks::kept_;

SpanBlocks::Release::~Release() {
  while (kept_.head != nullptr) {
    void* next = *static_cast<void**>(kept_.head);
    ::operator delete(kept_.head);
    kept_.head = next;
  }
  kept_.count = kKept;  // full for good: blocks freed from now on go to the heap
}

void SpanBlocks::ReleaseAtThreadExit() noexcept {
  thread_local Release release;  // built on the thread's first kept block
  (void)release;
}

}  // namespace fabtrace::telemetry::detail
