// corpus/build/output_dir.h — what a build may do to its output directory (docs/corpus_pipeline.md).
//
// A build works in `<out>/.rwkvkit-work/` (token store, `staging/` for the new shards and
// build.json) and publishes only a complete build: a plan (`publish.json`) first, then
// build.json removed, staged files renamed into place, our old files the new build does not
// replace removed, the ownership record (`<out>/.rwkvkit-build`: every file rwkvkit published,
// the corpus, the fingerprint of inputs and options) written, build.json last, each step
// fsynced. A publish cut off half-way is finished from the plan by the next run, so the
// directory always ends as one whole build, old or new. Names starting with `.rwkvkit-` are
// rwkvkit's own; nothing else in --out is ever deleted or overwritten.
//
// Not thread-safe: called by one build holding the directory's lock (output_lock.h).
#ifndef RWKVKIT_CORPUS_BUILD_OUTPUT_DIR_H_
#define RWKVKIT_CORPUS_BUILD_OUTPUT_DIR_H_

#include <filesystem>
#include <functional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "corpus/build/work_files.h"

namespace rwkvkit::corpus::build {

inline constexpr char kWorkDirName[] = ".rwkvkit-work";
inline constexpr char kRecordName[] = ".rwkvkit-build";
inline constexpr char kPlanName[] = "publish.json";  // in the work directory while publishing
inline constexpr char kReservedPrefix[] = ".rwkvkit-";

inline std::filesystem::path WorkDir(const std::filesystem::path& out) { return out / kWorkDirName; }
inline std::filesystem::path StagingDir(const std::filesystem::path& out) { return WorkDir(out) / "staging"; }
// Where phase 1 writes the --dedup-report and the --drop-report until the build is published.
inline std::filesystem::path StagedDedupReport(const std::filesystem::path& out) {
  return WorkDir(out) / kDedupReportFile;
}
inline std::filesystem::path StagedDropReport(const std::filesystem::path& out) {
  return WorkDir(out) / kDropReportFile;
}

// A report a build writes besides its shards and publishes with them: the flag that asked for
// it ("--dedup-report"), where it goes, and where phase 1 stages it.
struct ReportOutput {
  std::string flag;
  std::filesystem::path path, staged;
};

// What an earlier build left in an output directory.
struct Ownership {
  std::string corpus;            // "" when the directory holds no build
  std::string fingerprint;       // of that build's inputs and options ("" when unknown)
  std::set<std::string> files;   // names (in the directory) of the files rwkvkit published
};

// ReadOwnership()
// From `.rwkvkit-build`, else from build.json; empty when neither exists. kDataLoss when the
// one found cannot be read.
absl::StatusOr<Ownership> ReadOwnership(const std::filesystem::path& out);

// CheckOutputDir()
// kFailedPrecondition unless --force when `out` holds another corpus's build or any file
// that is neither in `own.files` nor rwkvkit's own (`.rwkvkit-*`): the message names them.
// With `force` it only prints (stderr) how many files it leaves alone. kInvalidArgument when
// `out` exists and is not a directory.
absl::Status CheckOutputDir(const std::filesystem::path& out, const std::string& corpus, bool force,
                            const Ownership& own);

// An input file with a description for messages ("source \"a\"", "the manifest", ...).
struct NamedInput {
  std::filesystem::path path;
  std::string what;
};

// CheckOutputsAreNotInputs()
// kInvalidArgument when an input is a file the build writes or may delete: build.json, a
// `<corpus>_<digits>.bin/.idx` shard in `out`, a file of `own`, anything under `.rwkvkit-*`, or
// one of the `reports`. Compared by file identity (device and inode, so hard links count) and by
// resolved path (for outputs that do not exist yet).
absl::Status CheckOutputsAreNotInputs(const std::vector<NamedInput>& inputs, const std::filesystem::path& out,
                                      const std::string& corpus, const std::vector<ReportOutput>& reports,
                                      const Ownership& own);

// What publishing a staged build does. `moves` are (staged path, final path), in order;
// build.json is renamed last and is not among them.
struct PublishPlan {
  std::string corpus;
  std::string fingerprint;
  std::vector<std::pair<std::filesystem::path, std::filesystem::path>> moves;
  std::vector<std::string> remove;  // old files of ours in `out` that the new build does not replace
  std::vector<std::string> files;   // the new ownership record (names in `out`), build.json included
};

// PlanPublish()
// The plan for the build staged in StagingDir(out) (its shards and build.json) plus the
// staged `reports`. kFailedPrecondition when a final name is taken by a file rwkvkit does not
// own (nothing has changed then).
absl::StatusOr<PublishPlan> PlanPublish(const std::filesystem::path& out, const std::string& corpus,
                                        const std::string& fingerprint, const std::vector<ReportOutput>& reports,
                                        const Ownership& own);

// Publish()
// Writes the plan to the work directory, then carries it out (see the banner). `plan_saved`,
// when given, is called once the plan is durable: from then on an interrupted publish is
// finished from the plan alone, so nothing else in the work directory is read again.
absl::Status Publish(const std::filesystem::path& out, const PublishPlan& plan,
                     const std::function<void()>& plan_saved = nullptr);

// True when a publish was cut off: its plan is still in the work directory.
bool PublishPending(const std::filesystem::path& out);

// FinishPendingPublish()
// Carries out the plan an interrupted publish left (each step is idempotent).
absl::Status FinishPendingPublish(const std::filesystem::path& out);

}  // namespace rwkvkit::corpus::build

#endif  // RWKVKIT_CORPUS_BUILD_OUTPUT_DIR_H_
