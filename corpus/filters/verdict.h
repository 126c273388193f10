// corpus/filters/verdict.h — what a filter says of one document: keep it, or drop it for a reason.
//
// The filter and reason are string literals with static storage (the filter's name in the
// manifest, e.g. "gopher_quality", and datatrove's reason, e.g. "gopher_short_doc"), so a Verdict
// is four words and never allocates.
#ifndef RWKVKIT_CORPUS_FILTERS_VERDICT_H_
#define RWKVKIT_CORPUS_FILTERS_VERDICT_H_

#include <string_view>

namespace rwkvkit::corpus::filters {

struct Verdict {
  std::string_view filter;  // which filter dropped it ("" when kept)
  std::string_view reason;  // empty: keep
  bool keep() const { return reason.empty(); }
};

inline Verdict Keep() { return Verdict{}; }
inline Verdict Drop(std::string_view filter, std::string_view reason) { return Verdict{filter, reason}; }

}  // namespace rwkvkit::corpus::filters

#endif  // RWKVKIT_CORPUS_FILTERS_VERDICT_H_
