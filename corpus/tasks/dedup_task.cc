// corpus/tasks/dedup_task.cc — the dedup stage of a split build (stage_tasks.h).
//
// Both outputs come from an external sort (external_sort.h) of the partition's records from
// every read task, so the task's memory is ctx.sort_bytes however large the partition is.
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "corpus/tasks/external_sort.h"
#include "corpus/tasks/intermediate.h"
#include "corpus/tasks/stage_tasks.h"

namespace rwkvkit::corpus::tasks {
namespace {

// A sort record: a key (exact: the Hash128; near: band and band key) and its document
// (task << 40 | index). Ascending order groups a key's documents, earliest in input order first.
struct KeyEntry {
  uint64_t key[2];
  uint64_t member;
  bool operator<(const KeyEntry& o) const {
    if (key[0] != o.key[0]) return key[0] < o.key[0];
    if (key[1] != o.key[1]) return key[1] < o.key[1];
    return member < o.member;
  }
};
static_assert(sizeof(KeyEntry) == 24);

// Sorts `sorter`'s input and logs how the sort went.
absl::Status SortAndLog(ExternalSorter<KeyEntry>& sorter, const char* what, uint32_t partition) {
  RWKVKIT_RETURN_IF_ERROR(sorter.Finish());
  std::fprintf(stderr, "rwkvkit build: dedup task %u: %llu %s sorted %s\n", partition,
               static_cast<unsigned long long>(sorter.records()), what,
               sorter.spilled() == 0 ? "in memory"
                                     : absl::StrCat("in ", sorter.spilled(), " runs on disk (--sort-memory)").c_str());
  return absl::OkStatus();
}

// Sorts, then calls group(head, members) for each run of equal keys (head: its first entry).
template <typename OnGroup>
absl::Status ForEachKey(ExternalSorter<KeyEntry>& sorter, const char* what, uint32_t partition, OnGroup group) {
  RWKVKIT_RETURN_IF_ERROR(SortAndLog(sorter, what, partition));
  std::vector<uint64_t> members;
  KeyEntry head{}, x{};
  bool have = false;
  for (;;) {
    RWKVKIT_ASSIGN_OR_RETURN(const bool more, sorter.Next(x));
    if (have && (!more || x.key[0] != head.key[0] || x.key[1] != head.key[1])) {
      RWKVKIT_RETURN_IF_ERROR(group(head, members));
      members.clear();
    }
    if (!more) return absl::OkStatus();
    if (members.empty()) head = x;
    members.push_back(x.member);
    have = true;
  }
}

// Adds every record of the read tasks' `stem`.<partition> files to `sorter`, as entry(record, task).
template <typename Record, typename ToEntry>
absl::Status AddPartition(const TaskContext& ctx, const char* stem, uint32_t partition,
                          ExternalSorter<KeyEntry>& sorter, ToEntry entry) {
  for (uint32_t t = 0; t < ctx.plan.read_tasks; ++t) {
    RWKVKIT_ASSIGN_OR_RETURN(RecordReader<Record> in, RecordReader<Record>::Open(TaskDir(ctx.work, Stage::kRead, t) /
                                                                                 PartFileName(stem, partition)));
    for (Record r{};;) {
      RWKVKIT_ASSIGN_OR_RETURN(const bool more, in.Next(r));
      if (!more) break;
      RWKVKIT_RETURN_IF_ERROR(sorter.Add(entry(r, uint64_t{t} << kTaskShift)));
    }
  }
  return absl::OkStatus();
}

// losers.u64: every document whose exact key an earlier one in input order also has.
absl::Status ExactLosers(const TaskContext& ctx, uint32_t partition, const std::filesystem::path& dir) {
  ExternalSorter<KeyEntry> sorter(dir, kKeysStem, ctx.sort_bytes);
  RWKVKIT_RETURN_IF_ERROR(
      AddPartition<KeyRecord>(ctx, kKeysStem, partition, sorter, [](const KeyRecord& k, uint64_t task) {
        return KeyEntry{{k.hi, k.lo}, task | k.keyed};
      }));
  RWKVKIT_ASSIGN_OR_RETURN(RecordWriter out, RecordWriter::Create(dir / kLosersFile));
  RWKVKIT_RETURN_IF_ERROR(SortAndLog(sorter, "exact keys", partition));
  // The first of each run of equal keys wins; the others stream out, so a key copied millions of
  // times costs no memory here.
  KeyEntry prev{}, x{};
  for (bool first = true;; first = false) {
    RWKVKIT_ASSIGN_OR_RETURN(const bool more, sorter.Next(x));
    if (!more) break;
    if (!first && x.key[0] == prev.key[0] && x.key[1] == prev.key[1])
      RWKVKIT_RETURN_IF_ERROR(out.Write(&x.member, sizeof x.member));
    prev = x;
  }
  return out.Close();
}

// buckets.u64: every band key of the partition shared by two or more documents.
absl::Status Buckets(const TaskContext& ctx, uint32_t partition, const std::filesystem::path& dir) {
  ExternalSorter<KeyEntry> sorter(dir, kBandsStem, ctx.sort_bytes);
  RWKVKIT_RETURN_IF_ERROR(
      AddPartition<BandRecord>(ctx, kBandsStem, partition, sorter, [](const BandRecord& r, uint64_t task) {
        return KeyEntry{{r.doc >> kBandShift, r.key}, task | (r.doc & ((uint64_t{1} << kBandShift) - 1))};
      }));
  RWKVKIT_ASSIGN_OR_RETURN(RecordWriter out, RecordWriter::Create(dir / kBucketsFile));
  RWKVKIT_RETURN_IF_ERROR(
      ForEachKey(sorter, "band keys", partition, [&](const KeyEntry& head, const std::vector<uint64_t>& members) {
        if (members.size() < 2) return absl::OkStatus();
        const uint64_t bucket[2] = {head.key[0], members.size()};
        RWKVKIT_RETURN_IF_ERROR(out.Write(bucket, sizeof bucket));
        return out.Write(members.data(), members.size() * sizeof(uint64_t));
      }));
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
