// tools/cli/huge_page_heap.cc — see huge_page_heap.h.
#include "tools/cli/huge_page_heap.h"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

namespace rwkvkit::cli {

void UseHugePageHeap() {
  constexpr uintptr_t kHugePage = uintptr_t{2} << 20;
  // Blocks under 32 MiB (glibc's upper limit for this setting) from the heap, which grows by
  // 16 MiB past each request and is not trimmed.
  if (mallopt(M_MMAP_THRESHOLD, 32 << 20) == 0 || mallopt(M_TOP_PAD, 16 << 20) == 0 ||
      mallopt(M_TRIM_THRESHOLD, 1 << 30) == 0)
    return;
  const auto brk_now = [] { return reinterpret_cast<uintptr_t>(sbrk(0)); };
  const uintptr_t before = brk_now();
  void* const grow = std::malloc(kHugePage);  // the heap grows by it and the pad
  asm volatile("" : : "r"(grow) : "memory");   // (not elided with the free below)
  const uintptr_t after = brk_now();
  std::free(grow);
  // malloc wrote the new top's header just past the block: a 2 MB range that holds a page
  // already can no longer become one huge page, so the advice starts after it.
  const uintptr_t from = (before + kHugePage + 64 + kHugePage - 1) & ~(kHugePage - 1);
  const uintptr_t to = after & ~(kHugePage - 1);
  if (before == static_cast<uintptr_t>(-1) || to <= from) return;  // the heap did not grow by brk
  if (madvise(reinterpret_cast<void*>(from), to - from, MADV_HUGEPAGE) != 0) return;
  // The free space at the heap's top starts below `from`: a block that is never touched (its
  // pages are never faulted in) fills it, so the next blocks start there.
  const uintptr_t top = after - mallinfo2().keepcost;
  if (from > top + 64) {
    void* const filler = std::malloc(from - top - 32);
    asm volatile("" : : "r"(filler) : "memory");  // kept for the process's life
  }
}

}  // namespace rwkvkit::cli
