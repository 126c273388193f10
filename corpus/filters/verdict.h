// corpus/filters/verdict.h — what a filter says of one document: keep it, or drop it for a reason.
//
// Reasons are string literals with static storage (datatrove's names, e.g. "gopher_short_doc"),
// so a Verdict is two words and never allocates.
#ifndef RWKVKIT_CORPUS_FILTERS_VERDICT_H_
#define RWKVKIT_CORPUS_FILTERS_VERDICT_H_

#include <string_view>

namespace rwkvkit::corpus::filters {

struct Verdict {
  std::string_view reason;  // empty: keep
  bool keep() const { return reason.empty(); }
};

inline Verdict Keep() { return Verdict{}; }
inline Verdict Drop(std::string_view reason) { return Verdict{reason}; }

}  // namespace rwkvkit::corpus::filters

#endif  // RWKVKIT_CORPUS_FILTERS_VERDICT_H_
