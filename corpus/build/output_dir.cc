// corpus/build/output_dir.cc — see output_dir.h.
#include "corpus/build/output_dir.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/file_io.h"
#include "base/json_writer.h"
#include "base/status_macros.h"
#include "corpus/build/build_json.h"
#include "corpus/build/build_report.h"
#include "simdjson.h"

namespace rwkvkit::corpus::build {
namespace {

namespace fs = std::filesystem;


// A plain file name: no directory part, no NUL.
bool IsFileName(std::string_view n) {
  return !n.empty() && n != "." && n != ".." && n.find('/') == std::string_view::npos &&
         n.find('\0') == std::string_view::npos;
}

bool IsReserved(std::string_view n) { return n.starts_with(kReservedPrefix); }

// `<corpus>_<digits>.bin` or `.idx`: the names a build of `corpus` gives its shards.
bool IsShardName(std::string_view n, const std::string& corpus) {
  if (!n.starts_with(corpus + "_")) return false;
  n.remove_prefix(corpus.size() + 1);
  if (!n.ends_with(".bin") && !n.ends_with(".idx")) return false;
  n.remove_suffix(4);
  return !n.empty() && std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; });
}

fs::path Resolved(const fs::path& p) {
  std::error_code ec;
  fs::path r = fs::weakly_canonical(p, ec);
  if (ec) r = fs::absolute(p, ec).lexically_normal();
  return r;
}

void StringArray(base::JsonWriter& w, const std::vector<std::string>& v) {
  w.BeginArray();
  for (const std::string& s : v) w.String(s);
  w.EndArray();
}

absl::StatusOr<std::vector<std::string>> StringList(simdjson::dom::element e, const fs::path& file,
                                                    const char* key) {
  simdjson::dom::array a;
  if (e[key].get_array().get(a) != simdjson::SUCCESS)
    return absl::DataLossError(absl::StrCat(file.string(), ": ", key, " is missing or not an array"));
  std::vector<std::string> out;
  for (simdjson::dom::element x : a) {
    std::string_view s;
    if (x.get_string().get(s) != simdjson::SUCCESS)
      return absl::DataLossError(absl::StrCat(file.string(), ": ", key, " holds a non-string"));
    out.emplace_back(s);
  }
  return out;
}

std::string RecordJson(const PublishPlan& plan) {
  base::JsonWriter w;
  w.BeginObject().Key("corpus").String(plan.corpus).Key("fingerprint").String(plan.fingerprint);
  StringArray(w.Break(1).Key("files"), plan.files);
  return w.EndObject().Text("\n").Take();
}

absl::StatusOr<Ownership> ReadRecord(const fs::path& path) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto e = parser.load(path.string()).get(root))
    return absl::DataLossError(absl::StrCat(path.string(), ": not a valid ownership record (", simdjson::error_message(e),
                                            "); --force builds there anyway"));
  Ownership own;
  std::string_view s;
  if (root["corpus"].get_string().get(s) != simdjson::SUCCESS)
    return absl::DataLossError(absl::StrCat(path.string(), ": corpus is missing or not a string"));
  own.corpus = std::string(s);
  if (root["fingerprint"].get_string().get(s) == simdjson::SUCCESS) own.fingerprint = std::string(s);
  RWKVKIT_ASSIGN_OR_RETURN(std::vector<std::string> files, StringList(root, path, "files"));
  for (std::string& f : files)
    if (IsFileName(f)) own.files.insert(std::move(f));
  return own;
}

// A directory built before the ownership record existed: build.json and the shards it lists.
absl::StatusOr<Ownership> ReadLegacyBuildJson(const fs::path& path) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  std::string_view s;
  simdjson::dom::array shards;
  if (parser.load(path.string()).get(root) != simdjson::SUCCESS ||
      root["corpus"].get_string().get(s) != simdjson::SUCCESS || root["shards"].get_array().get(shards))
    return absl::FailedPreconditionError(
        absl::StrCat(path.string(), ": not a build.json written by rwkvkit build; --force builds there anyway "
                                    "(and keeps that file)"));
  Ownership own;
  own.corpus = std::string(s);
  own.files.insert(kBuildJsonName);
  for (simdjson::dom::element e : shards) {
    std::string_view name;
    if (e["name"].get_string().get(name) != simdjson::SUCCESS || !IsFileName(name)) continue;
    own.files.insert(std::string(name) + ".bin");
    own.files.insert(std::string(name) + ".idx");
  }
  return own;
}

absl::Status CarryOut(const fs::path& out, const PublishPlan& plan) {
  std::error_code ec;
  const fs::path staged_json = StagingDir(out) / kBuildJsonName;
  if (!fs::exists(staged_json, ec)) {
    // A finished publish that was cut off before it removed its plan.
    if (fs::exists(out / kBuildJsonName, ec)) return absl::OkStatus();
    return absl::DataLossError(absl::StrCat(staged_json.string(), ": staged build.json is missing; rebuild without --resume"));
  }
  // From here until build.json is back, the directory holds no complete build; the plan in
  // the work directory lets the next run finish the job.
  if (fs::remove(out / kBuildJsonName, ec); ec) return base::ErrnoError(out / kBuildJsonName, "cannot remove", ec.value());
  RWKVKIT_RETURN_IF_ERROR(base::FsyncDir(out));
  for (const auto& [staged, final_path] : plan.moves) {
    if (fs::exists(staged, ec)) {
      RWKVKIT_RETURN_IF_ERROR(base::MoveFile(staged, final_path));
      if (final_path.parent_path() != out) RWKVKIT_RETURN_IF_ERROR(base::FsyncDir(final_path.parent_path()));
    } else if (!fs::exists(final_path, ec)) {
      return absl::DataLossError(absl::StrCat(staged.string(), ": staged file is missing; rebuild without --resume"));
    }
  }
  for (const std::string& name : plan.remove) {
    const fs::file_status st = fs::symlink_status(out / name, ec);
    if (fs::is_regular_file(st) || fs::is_symlink(st)) fs::remove(out / name, ec);
  }
  RWKVKIT_RETURN_IF_ERROR(base::FsyncDir(out));
  RWKVKIT_RETURN_IF_ERROR(base::WriteFileAtomically(out / kRecordName, RecordJson(plan)));
  RWKVKIT_RETURN_IF_ERROR(base::MoveFile(staged_json, out / kBuildJsonName));
  RWKVKIT_RETURN_IF_ERROR(base::FsyncDir(out));
  fs::remove(WorkDir(out) / kPlanName, ec);
  return absl::OkStatus();
}

std::string PlanJson(const PublishPlan& plan) {
  base::JsonWriter w;
  w.BeginObject().Key("corpus").String(plan.corpus).Key("fingerprint").String(plan.fingerprint);
  w.Break(1).Key("moves").BeginArray();
  for (size_t i = 0; i < plan.moves.size(); ++i) {
    if (i > 0) w.Break(2);
    w.BeginArray().String(plan.moves[i].first.string()).String(plan.moves[i].second.string()).EndArray();
  }
  w.EndArray();
  StringArray(w.Break(1).Key("remove"), plan.remove);
  StringArray(w.Break(1).Key("files"), plan.files);
  return w.EndObject().Text("\n").Take();
}

absl::StatusOr<PublishPlan> ReadPlan(const fs::path& path) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto e = parser.load(path.string()).get(root))
    return absl::DataLossError(absl::StrCat(path.string(), ": unreadable publish plan (", simdjson::error_message(e), ")"));
  PublishPlan plan;
  std::string_view s;
  if (root["corpus"].get_string().get(s) == simdjson::SUCCESS) plan.corpus = std::string(s);
  if (root["fingerprint"].get_string().get(s) == simdjson::SUCCESS) plan.fingerprint = std::string(s);
  simdjson::dom::array moves;
  if (root["moves"].get_array().get(moves) != simdjson::SUCCESS)
    return absl::DataLossError(absl::StrCat(path.string(), ": moves is missing"));
  for (simdjson::dom::element m : moves) {
    std::string_view a, b;
    if (m.at(0).get_string().get(a) != simdjson::SUCCESS || m.at(1).get_string().get(b) != simdjson::SUCCESS)
      return absl::DataLossError(absl::StrCat(path.string(), ": a move is not a pair of paths"));
    plan.moves.emplace_back(fs::path(std::string(a)), fs::path(std::string(b)));
  }
  RWKVKIT_ASSIGN_OR_RETURN(plan.remove, StringList(root, path, "remove"));
  RWKVKIT_ASSIGN_OR_RETURN(plan.files, StringList(root, path, "files"));
  std::erase_if(plan.remove, [](const std::string& n) { return !IsFileName(n); });
  return plan;
}

}  // namespace

absl::StatusOr<Ownership> ReadOwnership(const fs::path& out) {
  std::error_code ec;
  if (fs::exists(out / kRecordName, ec)) return ReadRecord(out / kRecordName);
  if (fs::exists(out / kBuildJsonName, ec)) return ReadLegacyBuildJson(out / kBuildJsonName);
  return Ownership{};
}

absl::Status CheckOutputDir(const fs::path& out, const std::string& corpus, bool force, const Ownership& own) {
  std::error_code ec;
  if (!fs::exists(out, ec)) return absl::OkStatus();
  if (!fs::is_directory(out, ec))
    return absl::InvalidArgumentError(absl::StrCat(out.string(), ": exists and is not a directory"));
  if (!own.corpus.empty() && own.corpus != corpus) {
    if (!force)
      return absl::FailedPreconditionError(absl::StrCat(
          out.string(), ": holds the build of another corpus (\"", own.corpus, "\", not \"", corpus,
          "\"); choose another --out, or --force to replace that build"));
    std::fprintf(stderr, "rwkvkit build: --force: the build of corpus \"%s\" in %s will be replaced\n",
                 own.corpus.c_str(), out.c_str());
  }
  std::vector<std::string> foreign;
  for (const fs::directory_entry& e : fs::directory_iterator(out, ec)) {
    const std::string n = e.path().filename().string();
    if (!IsReserved(n) && !own.files.contains(n)) foreign.push_back(n);
  }
  if (ec) return base::ErrnoError(out, "cannot list", ec.value());
  if (foreign.empty()) return absl::OkStatus();
  std::sort(foreign.begin(), foreign.end());
  if (force) {
    std::fprintf(stderr, "rwkvkit build: --force: %zu file(s) in %s that rwkvkit did not write are left untouched\n",
                 foreign.size(), out.c_str());
    return absl::OkStatus();
  }
  const size_t shown = std::min<size_t>(foreign.size(), 5);
  return absl::FailedPreconditionError(absl::StrCat(
      out.string(), ": holds ", foreign.size(), " file(s) that rwkvkit did not write for corpus \"", corpus, "\" (",
      absl::StrJoin(foreign.begin(), foreign.begin() + static_cast<long>(shown), ", "),
      foreign.size() > shown ? ", ..." : "",
      "); use an empty or new directory, or --force to build there anyway (those files are never touched)"));
}

absl::Status CheckOutputsAreNotInputs(const std::vector<NamedInput>& inputs, const fs::path& out,
                                      const std::string& corpus, const std::vector<ReportOutput>& reports,
                                      const Ownership& own) {
  const fs::path out_r = Resolved(out);
  for (size_t i = 0; i < reports.size(); ++i) {
    const ReportOutput& report = reports[i];
    const fs::path report_r = Resolved(report.path);
    // A report must not take the place of another output of the build (it would be lost).
    const fs::path rel = report_r.lexically_relative(out_r);
    const std::string first = rel.empty() ? "" : rel.begin()->string();
    const std::string name = report_r.filename().string();
    if (report_r == out_r || (!rel.empty() && first != ".." && first != "." &&
                              (IsReserved(first) || (rel == rel.filename() && (name == kBuildJsonName || IsShardName(name, corpus))))))
      return absl::InvalidArgumentError(absl::StrCat(report.flag, " ", report.path.string(),
                                                     ": names a file or directory the build itself writes in ", out.string()));
    for (size_t k = 0; k < i; ++k)
      if (Resolved(reports[k].path) == report_r)
        return absl::InvalidArgumentError(absl::StrCat(report.flag, " ", report.path.string(), ": also named by ",
                                                       reports[k].flag, "; each report needs its own file"));
  }
  // Identities of the files in `out` the build may replace or delete (hard links included).
  std::set<std::pair<dev_t, ino_t>> outputs;
  std::error_code ec;
  if (fs::is_directory(out, ec))
    for (const fs::directory_entry& e : fs::directory_iterator(out, ec)) {
      const std::string n = e.path().filename().string();
      struct stat st {};
      if ((n == kBuildJsonName || IsReserved(n) || own.files.contains(n) || IsShardName(n, corpus)) &&
          ::stat(e.path().c_str(), &st) == 0)
        outputs.emplace(st.st_dev, st.st_ino);
    }
  for (const NamedInput& in : inputs) {
    const fs::path r = Resolved(in.path);
    struct stat st {};
    const bool have = ::stat(in.path.c_str(), &st) == 0;
    for (const ReportOutput& report : reports) {
      struct stat report_st {};
      const bool report_exists = ::stat(report.path.c_str(), &report_st) == 0;
      if (r == Resolved(report.path) ||
          (have && report_exists && st.st_dev == report_st.st_dev && st.st_ino == report_st.st_ino))
        return absl::InvalidArgumentError(absl::StrCat(report.flag, " ", report.path.string(), ": is an input of this build (",
                                                       in.what, ": ", in.path.string(), "); rwkvkit never writes over its inputs"));
    }
    const fs::path rel = r.lexically_relative(out_r);
    const std::string first = rel.empty() ? "" : rel.begin()->string();
    const bool inside = !rel.empty() && first != ".." && first != ".";
    const std::string name = r.filename().string();
    if ((have && outputs.contains({st.st_dev, st.st_ino})) ||
        (inside && (IsReserved(first) || (rel == rel.filename() && (name == kBuildJsonName || own.files.contains(name) ||
                                                                    IsShardName(name, corpus))))))
      return absl::InvalidArgumentError(absl::StrCat(in.what, ": ", in.path.string(), " is a file this build writes or replaces in ",
                                                     out.string(), "; rwkvkit never writes over its inputs"));
  }
  return absl::OkStatus();
}

absl::StatusOr<PublishPlan> PlanPublish(const fs::path& out, const std::string& corpus, const std::string& fingerprint,
                                        const std::vector<ReportOutput>& reports, const Ownership& own) {
  PublishPlan plan;
  plan.corpus = corpus;
  plan.fingerprint = fingerprint;
  std::error_code ec;
  std::vector<std::string> staged;
  for (const fs::directory_entry& e : fs::directory_iterator(StagingDir(out), ec)) {
    const std::string n = e.path().filename().string();
    if (n != kBuildJsonName && !n.ends_with(".tmp")) staged.push_back(n);
  }
  if (ec) return base::ErrnoError(StagingDir(out), "cannot list", ec.value());
  std::sort(staged.begin(), staged.end());
  for (const std::string& n : staged) plan.moves.emplace_back(StagingDir(out) / n, out / n);
  for (const ReportOutput& report : reports) plan.moves.emplace_back(report.staged, report.path);
  std::set<std::string> names = {kBuildJsonName};
  const fs::path out_r = Resolved(out);
  for (const auto& [from, to] : plan.moves) {
    if (Resolved(to).parent_path() != out_r) continue;  // a report elsewhere: named explicitly
    const std::string n = to.filename().string();
    const fs::file_status st = fs::symlink_status(to, ec);
    if (fs::exists(st) && !own.files.contains(n))
      return absl::FailedPreconditionError(absl::StrCat(
          to.string(), ": exists and rwkvkit did not write it; move it away and run again with --resume (the new "
                       "build waits in ", WorkDir(out).string(), ")"));
    names.insert(n);
  }
  if (fs::exists(fs::symlink_status(out / kBuildJsonName, ec)) && !own.files.contains(kBuildJsonName))
    return absl::FailedPreconditionError(
        absl::StrCat((out / kBuildJsonName).string(), ": exists and rwkvkit did not write it; move it away and run again "
                                                    "with --resume"));
  for (const std::string& n : own.files)
    if (!names.contains(n)) plan.remove.push_back(n);
  plan.files.assign(names.begin(), names.end());
  return plan;
}

absl::Status Publish(const fs::path& out, const PublishPlan& plan, const std::function<void()>& plan_saved) {
  RWKVKIT_RETURN_IF_ERROR(base::WriteFileAtomically(WorkDir(out) / kPlanName, PlanJson(plan)));
  if (plan_saved) plan_saved();
  return CarryOut(out, plan);
}

bool PublishPending(const fs::path& out) {
  std::error_code ec;
  return fs::exists(WorkDir(out) / kPlanName, ec);
}

absl::Status FinishPendingPublish(const fs::path& out) {
  RWKVKIT_ASSIGN_OR_RETURN(const PublishPlan plan, ReadPlan(WorkDir(out) / kPlanName));
  return CarryOut(out, plan);
}

}  // namespace rwkvkit::corpus::build
