// python/src/batch_lists.h — Tokenizer.encode_batch: many texts to a list of id lists, with
// the encoding on several threads and the lists made while it runs.
//
// The texts are cut into chunks of whole texts (about 128 KB each). Helper threads (TBB)
// encode chunks without the GIL while the calling thread, holding the GIL, turns the chunks
// into lists in text order; whenever the next chunk is not ready it encodes an unclaimed
// chunk itself (GIL released) or waits. Encoding and list making overlap, and the result is
// the same for any thread count.
#ifndef RWKVKIT_PYTHON_SRC_BATCH_LISTS_H_
#define RWKVKIT_PYTHON_SRC_BATCH_LISTS_H_

#include <nanobind/nanobind.h>

#include <span>
#include <string_view>

#include "tokenizer/tokenizer.h"

namespace rwkvkit::python {

// EncodeBatchToLists()
// List i holds the ids of texts[i]. `threads` >= 1 threads in all, the calling thread
// included. Call with the GIL held; the views must stay valid for the call. Raises
// MemoryError when out of memory (no thread is left running).
nanobind::list EncodeBatchToLists(const tokenizer::Tokenizer& tok, std::span<const std::string_view> texts,
                                  int threads);

}  // namespace rwkvkit::python

#endif  // RWKVKIT_PYTHON_SRC_BATCH_LISTS_H_
