// corpus/build/build_verify.h — checks a build output directory against its build.json, or
// one shard on its own: the library behind `rwkvkit inspect` (tools/cmd_inspect.cc prints), and
// the shards of a build directory for `rwkvkit merge` (ShardsOfBuild).
//
// A directory: every shard build.json lists must exist, open cleanly (binidx::ShardReader
// checks the whole index and the .bin size) and have the listed documents, tokens, bytes,
// XXH3-128 of its .bin and RWKV-LM training numbers; the "output" (or older "total") sums and
// the corpus "training" numbers must match the shards, each source's documents_written and
// tokens must match the shards' source runs, and no unlisted shard file may lie beside them.
// Every mismatch is a problem line; only an unreadable build.json is an error. build.json is
// read by build_json.h (kVerify: members a build of an older rwkvkit lacks are not checked).
// Each .bin is read twice (hash, then scan): inspect is not a hot path. Depends on binidx,
// xxHash. Thread-safe: no shared state.
#ifndef RWKVKIT_CORPUS_BUILD_BUILD_VERIFY_H_
#define RWKVKIT_CORPUS_BUILD_BUILD_VERIFY_H_

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace rwkvkit::corpus::build {

// What one shard holds, scanned document by document.
struct ShardCheck {
  std::string name;
  uint64_t documents = 0, tokens = 0, bin_bytes = 0, idx_bytes = 0;
  uint64_t min_tokens = 0, max_tokens = 0;
  uint64_t not_ending_with_0 = 0;
  std::optional<uint64_t> first_not_ending_with_0;
  std::string xxh3_128;  // directory mode only
  bool opened = false;   // the reader accepted it and every document was read
  bool ok = false;       // opened, and everything matches build.json
};

// A build directory checked against its build.json.
struct BuildCheck {
  std::string corpus;                  // build.json's "corpus" ("" when absent)
  std::optional<uint64_t> ctx_len;     // build.json's training.ctx_len
  std::vector<ShardCheck> shards;      // in build.json's order
  uint64_t documents = 0, tokens = 0;  // summed over the shards
  std::vector<std::string> problems;   // every mismatch, in the order found
};

// InspectShard()
// Opens the shard at `prefix` and scans every document (name = the prefix's file name); the
// reader's error (kNotFound, kDataLoss naming the file and byte offset) when it is damaged.
absl::StatusOr<ShardCheck> InspectShard(const std::filesystem::path& prefix);

// VerifyBuild()
// Reads <dir>/build.json (ReadBuildJson's errors: kNotFound when it cannot be read, kDataLoss
// when it is not JSON or a shard entry lacks its name, hash or counts) and checks everything above.
absl::StatusOr<BuildCheck> VerifyBuild(const std::filesystem::path& dir);

// The shards of a build directory as `rwkvkit merge` reads them: their prefixes in build.json's
// order, each opened by the shard reader and holding the documents and tokens build.json
// lists (no hash: VerifyBuild checks that), and build.json's training.ctx_len.
struct BuildShards {
  std::vector<std::filesystem::path> prefixes;
  std::optional<uint64_t> ctx_len;
};

// ShardsOfBuild()
// ReadBuildJson's errors, the shard reader's, and kFailedPrecondition for a build without shards
// or a shard whose counts differ from build.json (naming both files and `rwkvkit inspect DIR`).
absl::StatusOr<BuildShards> ShardsOfBuild(const std::filesystem::path& dir);

}  // namespace rwkvkit::corpus::build

#endif  // RWKVKIT_CORPUS_BUILD_BUILD_VERIFY_H_
