// tools/cli/huge_page_heap.h — the heap of a short command on transparent huge pages.
//
// A command that loads the tokenizer (~2.2 MB of arrays) and streams a large input through a
// few MB of buffers takes ~1,000 page faults of fresh 4 KB pages, ~1.5 us each in the VMs we
// measure on, and glibc gives every block over 128 KB a mapping of its own. UseHugePageHeap()
// makes the rest of the process take its blocks (under 32 MiB) from the heap, grows the heap
// by 16 MiB at a time, never gives it back mid-run, and asks the kernel for 2 MB pages there
// (MADV_HUGEPAGE: where the system's THP mode is "madvise" or "always"), the same as glibc's
// glibc.malloc.hugetlb=1 tunable: ~240 faults. The pages zeroed are 2 MB each, which costs a
// small input more than it saves: callers ask for it on large inputs only. Best effort: does
// nothing where an allocator setting or the advice is refused. Call it once, before the
// large allocations and before other threads start. Linux, glibc.
#ifndef RWKVKIT_TOOLS_CLI_HUGE_PAGE_HEAP_H_
#define RWKVKIT_TOOLS_CLI_HUGE_PAGE_HEAP_H_

namespace rwkvkit::cli {

void UseHugePageHeap();

}  // namespace rwkvkit::cli

#endif  // RWKVKIT_TOOLS_CLI_HUGE_PAGE_HEAP_H_
