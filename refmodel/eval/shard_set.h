// refmodel/eval/shard_set.h — which binidx shards an evaluation reads.
//
// Each --data argument is a shard prefix (path without .bin/.idx), a .idx or .bin path, or a
// directory (all its shards, by name order: every `*.idx` with a matching `.bin`). The result
// keeps the arguments' order; a shard named twice is read once. kNotFound for a path that is
// none of these. Thread-safe: no shared state.
#ifndef RWKVKIT_REFMODEL_EVAL_SHARD_SET_H_
#define RWKVKIT_REFMODEL_EVAL_SHARD_SET_H_

#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace rwkvkit::refmodel {

absl::StatusOr<std::vector<std::filesystem::path>> ResolveShards(const std::vector<std::string>& data);

}  // namespace rwkvkit::refmodel

#endif  // RWKVKIT_REFMODEL_EVAL_SHARD_SET_H_
