// corpus/tasks/dedup_task.cc — the dedup stage of a split build (stage_tasks.h).
#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "base/status_macros.h"
#include "corpus/dedup/exact_dedup.h"
#include "corpus/tasks/intermediate.h"
#include "corpus/tasks/stage_tasks.h"

namespace rwkvkit::corpus::tasks {
namespace {

// losers.u64: the read tasks in input order; within one, its keys in input order.
absl::Status ExactLosers(const TaskContext& ctx, uint32_t partition, const std::filesystem::path& dir) {
  absl::flat_hash_set<dedup::Hash128> seen;
  RWKVKIT_ASSIGN_OR_RETURN(RecordWriter out, RecordWriter::Create(dir / "losers.u64"));
  for (uint32_t t = 0; t < ctx.plan.read_tasks; ++t) {
    RWKVKIT_ASSIGN_OR_RETURN(const std::vector<KeyRecord> keys,
                             ReadRecords<KeyRecord>(TaskDir(ctx.work, Stage::kRead, t) / PartFileName("keys", partition)));
    for (const KeyRecord& k : keys) {
      if (seen.insert(dedup::Hash128{k.lo, k.hi}).second) continue;
      const uint64_t loser = uint64_t{t} << kTaskShift | k.first;
      RWKVKIT_RETURN_IF_ERROR(out.Write(&loser, sizeof loser));
    }
  }
  return out.Close();
}

struct BandEntry {
  uint64_t band_key_order[2];  // band, key
  uint64_t member;             // task << 40 | stored index
  bool operator<(const BandEntry& o) const {
    if (band_key_order[0] != o.band_key_order[0]) return band_key_order[0] < o.band_key_order[0];
    if (band_key_order[1] != o.band_key_order[1]) return band_key_order[1] < o.band_key_order[1];
    return member < o.member;
  }
};

// buckets.u64: every band key of the partition shared by two or more documents.
absl::Status Buckets(const TaskContext& ctx, uint32_t partition, const std::filesystem::path& dir) {
  std::vector<BandEntry> entries;
  for (uint32_t t = 0; t < ctx.plan.read_tasks; ++t) {
    RWKVKIT_ASSIGN_OR_RETURN(const std::vector<BandRecord> recs,
                             ReadRecords<BandRecord>(TaskDir(ctx.work, Stage::kRead, t) / PartFileName("bands", partition)));
    for (const BandRecord& r : recs)
      entries.push_back(BandEntry{{r.doc >> kBandShift, r.key},
                                  uint64_t{t} << kTaskShift | (r.doc & ((uint64_t{1} << kBandShift) - 1))});
  }
  std::sort(entries.begin(), entries.end());
  RWKVKIT_ASSIGN_OR_RETURN(RecordWriter out, RecordWriter::Create(dir / "buckets.u64"));
  std::vector<uint64_t> rec;
  for (size_t s = 0, e = 0; s < entries.size(); s = e) {
    for (e = s + 1; e < entries.size() && entries[e].band_key_order[0] == entries[s].band_key_order[0] &&
                    entries[e].band_key_order[1] == entries[s].band_key_order[1];
         ++e) {}
    if (e - s < 2) continue;
    rec.assign({entries[s].band_key_order[0], e - s});
    for (size_t k = s; k < e; ++k) rec.push_back(entries[k].member);
    RWKVKIT_RETURN_IF_ERROR(out.Write(rec.data(), rec.size() * sizeof(uint64_t)));
  }
  return out.Close();
}

}  // namespace

absl::Status RunDedupTask(const TaskContext& ctx, uint32_t task) {
  const std::filesystem::path dir = TaskDir(ctx.work, Stage::kDedup, task);
  RWKVKIT_RETURN_IF_ERROR(ExactLosers(ctx, task, dir));
  if (ctx.opt.near_dedup) RWKVKIT_RETURN_IF_ERROR(Buckets(ctx, task, dir));
  return absl::OkStatus();
}

}  // namespace rwkvkit::corpus::tasks
