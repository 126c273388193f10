// corpus/build/source_check.h — decides whether a build's reading went well enough to publish.
//
// A build that writes nothing is not a success. After the reading phase, CheckSourceYields()
// fails the build (nothing is published; the output directory stays as it was) when
//   - a source yielded no records at all (empty files, files that could not be read),
//   - more than `max_bad_fraction` of a source's records were bad input (a wrong text key,
//     a wrong format, a damaged file: build.json's bad_input reasons), or
//   - no document is left to write (everything bad, filtered, duplicate or sampled out).
// The message is a summary naming each failing source, its counts and its most common bad
// reason with the first example. Pure: a function of the counts and options.
#ifndef RWKVKIT_CORPUS_BUILD_SOURCE_CHECK_H_
#define RWKVKIT_CORPUS_BUILD_SOURCE_CHECK_H_

#include <vector>

#include "absl/status/status.h"
#include "corpus/build/bad_input.h"
#include "corpus/build/build_options.h"
#include "corpus/build/build_report.h"

namespace rwkvkit::corpus::build {

// kFailedPrecondition with the summary, or OK.
absl::Status CheckSourceYields(const BuildOptions& opt, const std::vector<SourceCounts>& counts,
                               const BadInputSink& bad);

}  // namespace rwkvkit::corpus::build

#endif  // RWKVKIT_CORPUS_BUILD_SOURCE_CHECK_H_
