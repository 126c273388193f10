// corpus/build/build_checks.h — what a build checks before it starts, and what identifies it.
//
// Shared by the one-process build (pipeline.cc) and the build split into tasks
// (corpus/tasks/), so both refuse the same options and output directories with the same
// messages and record the same fingerprint. Thread-safe (pure functions but for the file
// system reads).
#ifndef RWKVKIT_CORPUS_BUILD_BUILD_CHECKS_H_
#define RWKVKIT_CORPUS_BUILD_BUILD_CHECKS_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "corpus/build/build_options.h"
#include "corpus/build/build_stages.h"
#include "corpus/build/output_dir.h"

namespace rwkvkit::corpus::build {

// XXH3-128 of `bytes` as 32 hex digits (high 64 bits first).
std::string Hash128Hex(std::string_view bytes);

// FileHash128Hex()
// The same of a whole file, read in 1 MB pieces (build.json's shard hashes, the split build's
// done markers). The open error of base/file_io.h (kNotFound when missing), kDataLoss when a
// read fails.
absl::StatusOr<std::string> FileHash128Hex(const std::filesystem::path& path);

// Options a build refuses before it touches anything (kInvalidArgument).
absl::Status CheckBuildOptions(const BuildOptions& opt);

// BuildFingerprint()
// Identifies the inputs and options of a build, so a resumed or split build never mixes two
// different builds: every option that changes the output (what build.json records; per source
// its format, text and id keys and exact weight, and its filter settings; the record size
// cap), each input file's size, modification time and inode, the vocab's content, and the
// --dedup-report and --drop-report paths (relative to the output directory when inside it).
std::string BuildFingerprint(const BuildOptions& opt, const std::vector<InputFile>& files);

// The reports a build writes besides its shards (--dedup-report, --drop-report), published
// with them from where the build stages them (output_dir.h).
std::vector<ReportOutput> BuildReports(const BuildOptions& opt);

// CheckOutputBeforeBuild()
// With the output directory's lock held: what it holds (ReadOwnership; empty with --force
// when unreadable), after CheckOutputDir, CheckOutputsAreNotInputs and a check that the
// directories of the reports exist (output_dir.h has the codes).
absl::StatusOr<Ownership> CheckOutputBeforeBuild(const BuildOptions& opt, const std::vector<InputFile>& files);

}  // namespace rwkvkit::corpus::build

#endif  // RWKVKIT_CORPUS_BUILD_BUILD_CHECKS_H_
