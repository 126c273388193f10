// evaluation/eval_tasks.cc — see eval_tasks.h.
#include "evaluation/eval_tasks.h"

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/file_io.h"
#include "base/status_macros.h"
#include "corpus/build/build_json.h"
#include "corpus/build/build_report.h"
#include "corpus/tasks/intermediate.h"
#include "corpus/tasks/task_runner.h"
#include "refmodel/eval/shard_set.h"

namespace rwkvkit::evaluation {
namespace {

using corpus::tasks::Stage;

constexpr char kRecords[] = "records.bin";
constexpr char kNllLines[] = "nll.jsonl";
constexpr char kVersion[] = "version.txt";

// A file as the fingerprint names it: path, size and modification time.
std::string FileLine(const char* what, const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return absl::StrCat(what, " ", path.string(), " (missing)\n");
  return absl::StrCat(what, " ", path.string(), " ", st.st_size, " ", st.st_mtim.tv_sec, ".", st.st_mtim.tv_nsec,
                      "\n");
}

absl::StatusOr<std::string> Fingerprint(const EvalRequest& r, const EvalSplit& split) {
  absl::StatusOr<std::vector<std::filesystem::path>> shards = refmodel::ResolveShards(r.data);
  if (!shards.ok()) return shards.status();
  std::string f = "rwkvkit eval\n";
  absl::StrAppend(&f, FileLine("model", std::filesystem::absolute(r.model)));
  for (const std::filesystem::path& s : *shards) {
    const std::filesystem::path abs = std::filesystem::absolute(s);
    absl::StrAppend(&f, FileLine("shard", abs.string() + ".bin"), FileLine("index", abs.string() + ".idx"));
    absl::StrAppend(&f, FileLine(corpus::build::kBuildJsonName, abs.parent_path() / corpus::build::kBuildJsonName));
  }
  absl::StrAppend(&f, "window ", r.window, "\nsample max_docs ", r.sample.max_docs, " docs_per_source ",
                  r.sample.docs_per_source, " seed ", r.sample.seed, "\n");
  absl::StrAppend(&f, "device ", split.cuda ? "cuda" : "cpu", " dtype ", static_cast<int>(r.dtype), " batch ",
                  split.cuda ? r.batch : 0, "\nnll_lines ", split.nll_lines ? "yes" : "no", "\n");
  return f;
}

absl::Status WriteTask(const EvalRequest& request, const tokenizer::Tokenizer& tok, const EvalSplit& split,
                       uint32_t task) {
  const std::filesystem::path dir = corpus::tasks::TaskDir(split.work, Stage::kEval, task);
  RWKVKIT_ASSIGN_OR_RETURN(corpus::tasks::RecordWriter records, corpus::tasks::RecordWriter::Create(dir / kRecords));
  std::optional<corpus::tasks::RecordWriter> lines;
  if (split.nll_lines) {
    RWKVKIT_ASSIGN_OR_RETURN(corpus::tasks::RecordWriter w, corpus::tasks::RecordWriter::Create(dir / kNllLines));
    lines.emplace(std::move(w));
  }
  EvalRequest r = request;
  r.slice = task;
  r.slices = split.tasks;
  std::string line;
  r.on_document = [&](const refmodel::DocumentResult& d, const std::string* source) -> absl::Status {
    const DocumentRecord rec{d.shard, d.index_in_shard, d.totals.tokens, d.totals.bytes, d.totals.nll};
    RWKVKIT_RETURN_IF_ERROR(records.Write(&rec, sizeof rec));
    if (lines) {
      line = NllLine(d.nll);
      RWKVKIT_RETURN_IF_ERROR(lines->Write(line.data(), line.size()));
    }
    return request.on_document ? request.on_document(d, source) : absl::OkStatus();
  };
  RWKVKIT_ASSIGN_OR_RETURN(const EvalReport report, RunEvaluation(r, tok));
  RWKVKIT_RETURN_IF_ERROR(records.Close());
  if (lines) RWKVKIT_RETURN_IF_ERROR(lines->Close());
  return base::WriteFileAtomically(dir / kVersion, report.version + "\n");
}

}  // namespace

absl::StatusOr<corpus::tasks::TaskPlan> PrepareEvalWork(const EvalRequest& request, const EvalSplit& split) {
  constexpr uint32_t kMaxTasks = 1u << 20;
  if (split.tasks < 1 || split.tasks > kMaxTasks)
    return absl::InvalidArgumentError(absl::StrCat("--tasks must be in 1..", kMaxTasks));
  if (split.work.empty()) return absl::InvalidArgumentError("an evaluation in tasks needs --work DIR");
  corpus::tasks::TaskPlan plan;
  plan.eval_tasks = split.tasks;
  RWKVKIT_ASSIGN_OR_RETURN(plan.fingerprint, Fingerprint(request, split));
  RWKVKIT_RETURN_IF_ERROR(corpus::tasks::PrepareWorkDir(split.work, plan));
  return plan;
}

absl::StatusOr<bool> RunEvalTask(const EvalRequest& request, const tokenizer::Tokenizer& tok,
                                 const EvalSplit& split, const corpus::tasks::TaskPlan& plan, uint32_t task,
                                 const std::string& owner) {
  return corpus::tasks::RunTaskWith(split.work, plan, Stage::kEval, task, owner,
                                    [&](std::vector<std::filesystem::path>&) {
                                      return WriteTask(request, tok, split, task);
                                    });
}

absl::StatusOr<EvalReport> MergeEvalTasks(const EvalRequest& request, const EvalSplit& split,
                                          const corpus::tasks::TaskPlan& plan,
                                          const std::function<absl::Status(std::string_view)>& nll_text) {
  for (uint32_t t = 0; t < plan.eval_tasks; ++t)
    if (absl::Status s = corpus::tasks::CheckDone(split.work, plan, Stage::kEval, t); !s.ok())
      return absl::FailedPreconditionError(
          absl::StrCat("eval task ", t, " is not done: ", s.message(), " (run the command again: it redoes it)"));
  RWKVKIT_ASSIGN_OR_RETURN(EvalTally tally, EvalTally::Plan(request));
  std::string version;
  std::vector<DocumentRecord> chunk(1 << 14);
  std::vector<char> text(1 << 20);
  for (uint32_t t = 0; t < plan.eval_tasks; ++t) {
    const std::filesystem::path dir = corpus::tasks::TaskDir(split.work, Stage::kEval, t);
    const std::string v(absl::StripAsciiWhitespace(base::ReadFile(dir / kVersion).value_or("")));
    if (t == 0) version = v;
    if (v != version)
      return absl::DataLossError(absl::StrCat((dir / kVersion).string(), ": model version ", v, ", task 0 had ",
                                              version));
    RWKVKIT_ASSIGN_OR_RETURN(uint64_t n, corpus::tasks::RecordCount(dir / kRecords, sizeof(DocumentRecord)));
    std::ifstream in(dir / kRecords, std::ios::binary);
    while (n > 0) {
      const size_t k = static_cast<size_t>(std::min<uint64_t>(n, chunk.size()));
      if (!in.read(reinterpret_cast<char*>(chunk.data()), static_cast<std::streamsize>(k * sizeof(DocumentRecord))))
        return absl::DataLossError(absl::StrCat((dir / kRecords).string(), ": short read"));
      for (size_t i = 0; i < k; ++i) {
        const DocumentRecord& d = chunk[i];
        const refmodel::EvalTotals totals{1, d.tokens, d.bytes, d.nll};
        if (absl::StatusOr<const std::string*> s = tally.Add(d.shard, d.index_in_shard, totals); !s.ok())
          return absl::DataLossError(absl::StrCat((dir / kRecords).string(), ": ", s.status().message()));
      }
      n -= k;
    }
    if (!nll_text) continue;
    std::ifstream lines(dir / kNllLines, std::ios::binary);
    if (!lines)
      return absl::DataLossError(absl::StrCat((dir / kNllLines).string(), ": missing (the task kept no NLL lines)"));
    while (lines.read(text.data(), static_cast<std::streamsize>(text.size())) || lines.gcount() > 0)
      RWKVKIT_RETURN_IF_ERROR(nll_text(std::string_view(text.data(), static_cast<size_t>(lines.gcount()))));
  }
  return tally.Finish(version);
}

}  // namespace rwkvkit::evaluation
