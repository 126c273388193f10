// corpus/binidx/shard_merge.h — joins binidx shards into one shard (one `<prefix>.bin/.idx`),
// the single file prefix RWKV-LM's trainer opens (`--data_file`).
//
// The merged .bin is the shards' .bin files back to back (copy_file_range; pread/pwrite where
// it cannot); the .idx is rebuilt as Megatron's IndexedDatasetBuilder.add_index does. Documents
// keep their order and ids; every shard must have the same dtype, which the result keeps.
// Safe: inputs are validated before anything is written and again while copying; the output
// goes to `<prefix>.merging.bin/.idx` (flock'ed), is fsynced, checked with ShardReader and only
// then renamed into place. An existing output is replaced only with `overwrite`, never when it
// is an input; on any error the temporary files are removed. Details and memory:
// docs/formats/binidx.md, "Merging shards". Not thread-safe for one output prefix (the lock
// turns a second writer into an error). Depends on std + Abseil only.
//
//   RWKVKIT_ASSIGN_OR_RETURN(MergeSummary m, MergeShards({"out/demo_00000", "out/demo_00001"}, "train/demo", {}));
#ifndef RWKVKIT_CORPUS_BINIDX_SHARD_MERGE_H_
#define RWKVKIT_CORPUS_BINIDX_SHARD_MERGE_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <vector>

#include "absl/status/statusor.h"

namespace rwkvkit::binidx {

struct MergeOptions {
  bool overwrite = false;  // replace an existing <prefix>.bin/.idx (never an input)
  // Called after each copied chunk of the .bin (bytes copied, bytes in all).
  std::function<void(uint64_t done, uint64_t total)> progress;
};

struct MergeSummary {
  std::filesystem::path bin_path, idx_path;
  uint64_t shards = 0, documents = 0, sequences = 0, tokens = 0;
  uint64_t bin_bytes = 0, idx_bytes = 0;
  uint8_t dtype_code = 0;
};

// MergeShards()
// kInvalidArgument for no inputs or an output prefix without a file name; kAlreadyExists for
// an existing output without `overwrite`, or an output that is an input; kFailedPrecondition
// for shards of different dtypes, a shard that changed during the merge, or an output locked
// by another merge; the reader's errors (kNotFound, kDataLoss) naming the bad shard; I/O
// errors naming the file.
absl::StatusOr<MergeSummary> MergeShards(const std::vector<std::filesystem::path>& shards,
                                         const std::filesystem::path& out_prefix, const MergeOptions& options);

// The temporary prefix a merge into `out_prefix` writes before the rename.
std::filesystem::path MergeTempPrefix(const std::filesystem::path& out_prefix);

}  // namespace rwkvkit::binidx

#endif  // RWKVKIT_CORPUS_BINIDX_SHARD_MERGE_H_
