// corpus/tasks/lines_task.cc — the lines stage of a split build (stage_tasks.h).
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/file_io.h"
#include "base/status_macros.h"
#include "corpus/input/newline_scan.h"
#include "corpus/tasks/intermediate.h"
#include "corpus/tasks/stage_tasks.h"

namespace rwkvkit::corpus::tasks {
namespace {

constexpr char kLinesFile[] = "lines.u64";  // (input file, newlines) of each piece whose file goes on in a later slice
constexpr uint64_t kUnknown = UINT64_MAX;  // in lines.u64: the piece could not be read

// The newlines in [begin, end) of `path`; kUnknown when that cannot be read (the read task then
// counts them itself and meets the error where one process meets it).
uint64_t NewlinesIn(const std::filesystem::path& path, uint64_t begin, uint64_t end) {
  const absl::StatusOr<int> fd = base::OpenForRead(path);
  if (!fd.ok()) return kUnknown;
  const absl::StatusOr<input::NewlineCount> count = input::CountNewlines(*fd, path, begin, end);
  ::close(*fd);
  return count.ok() && count->end == end ? count->newlines : kUnknown;
}

}  // namespace

absl::Status RunLinesTask(const TaskContext& ctx, uint32_t task) {
  const std::vector<uint64_t> offsets = FileOffsets(ctx.files);
  std::vector<uint64_t> out;
  for (const build::FilePiece& p : ReadSlice(ctx.files, SplittableFiles(ctx.opt, ctx.files), task, ctx.plan.read_tasks)) {
    if (p.whole || p.end == offsets[p.file + 1] - offsets[p.file]) continue;  // no later piece of its file
    out.push_back(p.file);
    out.push_back(NewlinesIn(ctx.files[p.file].path, p.begin, p.end));
  }
  return base::WriteFileAtomically(TaskDir(ctx.work, Stage::kLines, task) / kLinesFile,
                                   std::string(reinterpret_cast<const char*>(out.data()), out.size() * 8));
}

absl::Status AddNewlinesBefore(const TaskContext& ctx, uint32_t task, std::vector<build::FilePiece>& pieces) {
  const std::vector<uint64_t> offsets = FileOffsets(ctx.files);
  const uint64_t total = offsets.back();
  const uint32_t n = ctx.plan.read_tasks;
  for (build::FilePiece& p : pieces) {
    if (p.whole || p.begin == 0) continue;
    // Every earlier task whose bytes end inside this file holds one piece of it before p.
    uint64_t sum = 0;
    bool known = true;
    for (uint32_t j = task; j-- > 0 && SliceStart(total, j + 1, n) > offsets[p.file];) {
      if (SliceStart(total, j, n) == SliceStart(total, j + 1, n)) continue;  // an empty slice
      const std::filesystem::path path = TaskDir(ctx.work, Stage::kLines, j) / kLinesFile;
      RWKVKIT_ASSIGN_OR_RETURN(const std::vector<uint64_t> recs, ReadRecords<uint64_t>(path));
      size_t k = 0;
      while (k + 1 < recs.size() && recs[k] != p.file) k += 2;
      if (k + 1 >= recs.size())
        return absl::DataLossError(absl::StrCat(path.string(), ": no count for input file ", p.file + 1));
      if (recs[k + 1] == kUnknown) known = false;
      else sum += recs[k + 1];
    }
    if (known) p.newlines_before = sum;
  }
  return absl::OkStatus();
}

}  // namespace rwkvkit::corpus::tasks
