// corpus/tasks/executor_slurm.cc — see executor_slurm.h.
#include "corpus/tasks/executor_slurm.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/file_io.h"
#include "base/status_macros.h"
#include "corpus/build/build_report.h"

namespace rwkvkit::corpus::tasks {
namespace {

struct CommandResult {
  int status = -1;
  std::string output;  // stdout and stderr
};

absl::StatusOr<CommandResult> RunCommand(const std::vector<std::string>& argv) {
  int fds[2];
  if (::pipe(fds) != 0) return absl::UnavailableError(absl::StrCat("pipe failed (", std::strerror(errno), ")"));
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    ::dup2(fds[1], STDERR_FILENO);
    ::close(fds[0]);
    ::close(fds[1]);
    ::execvp(args[0], args.data());
    std::fprintf(stderr, "cannot run %s (%s)\n", args[0], std::strerror(errno));
    ::_exit(127);
  }
  ::close(fds[1]);
  if (pid < 0) {
    ::close(fds[0]);
    return absl::UnavailableError(absl::StrCat("cannot start ", argv[0], " (", std::strerror(errno), ")"));
  }
  CommandResult r;
  char buf[4096];
  ssize_t n = 0;
  while ((n = ::read(fds[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0) r.output.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  return r;
}

// Why the run stopped: the first task of the earliest stage that is not done.
std::string FirstFailure(const std::filesystem::path& work, const TaskPlan& plan) {
  for (Stage s : StagesOf(plan)) {
    const std::string upstream = UpstreamHash(work, plan, s);
    for (uint32_t t = 0; t < TaskCount(plan, s); ++t) {
      if (CheckDone(work, plan, s, t, Verify::kSizes, &upstream).ok()) continue;
      std::error_code ec;
      const std::filesystem::path failed = FailedMarkerPath(work, s, t);
      const std::string why = std::filesystem::exists(failed, ec)
                                  ? LastLogLine(failed)
                                  : absl::StrCat("it ended without finishing (cancelled, or stopped by Slurm: time "
                                                 "or memory limit?); last log line: ",
                                                 LastLogLine(LogPath(work, s, t)));
      return absl::StrCat("task ", StageName(s), " ", t, " failed: ", why, " (log: ", LogPath(work, s, t).string(), ")");
    }
  }
  return "the jobs left the queue before the last stage was done";
}

}  // namespace

std::string ShellQuote(const std::string& s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'') q += "'\\''";
    else q += c;
  }
  return q + "'";
}

absl::StatusOr<ExecutorResult> RunSlurmExecutor(const std::filesystem::path& work, const TaskPlan& plan,
                                                const std::vector<std::string>& command, const SlurmOptions& slurm) {
  ExecutorResult result;
  const std::string who = CommandName(command);
  if (Finished(work, plan)) {
    result.tasks_skipped = static_cast<int>(TaskCount(plan, StagesOf(plan).back()));
    return result;
  }
  const std::filesystem::path scripts = work / "slurm";
  std::error_code ec;
  std::filesystem::create_directories(scripts, ec);
  std::vector<std::string> earlier;  // A_i of every task submitted by this run
  std::vector<std::string> arrays;   // A of every array submitted by this run
  std::string jobs_log;
  for (Stage stage : StagesOf(plan)) {
    const std::vector<uint32_t> pending = PendingTasks(work, plan, stage, who, result, !earlier.empty());
    if (pending.empty()) continue;
    std::string script = absl::StrCat("#!/bin/sh\n# rwkvkit, stage ", StageName(stage), " (one array task per task)\nexec");
    for (const std::string& a : command) absl::StrAppend(&script, " ", ShellQuote(a));
    absl::StrAppend(&script, " --stage ", StageName(stage), " --task \"$SLURM_ARRAY_TASK_ID\"\n");
    const std::filesystem::path script_path = scripts / absl::StrCat(StageName(stage), ".sh");
    RWKVKIT_RETURN_IF_ERROR(base::WriteFileAtomically(script_path, script));
    ::chmod(script_path.c_str(), 0755);
    std::vector<std::string> argv = {"sbatch", "--parsable", absl::StrCat("--job-name=rwkvkit-", StageName(stage)),
                                     absl::StrCat("--array=", absl::StrJoin(pending, ",")),
                                     absl::StrCat("--output=", SlurmLogPattern(work, stage))};
    if (!earlier.empty()) {
      argv.push_back(absl::StrCat("--dependency=afterok:", absl::StrJoin(earlier, ":")));
      argv.push_back("--kill-on-invalid-dep=yes");
    }
    if (!slurm.partition.empty()) argv.push_back("--partition=" + slurm.partition);
    if (!slurm.account.empty()) argv.push_back("--account=" + slurm.account);
    if (!slurm.time.empty()) argv.push_back("--time=" + slurm.time);
    if (!slurm.mem.empty()) argv.push_back("--mem=" + slurm.mem);
    if (slurm.cpus_per_task > 0) argv.push_back(absl::StrCat("--cpus-per-task=", slurm.cpus_per_task));
    if (slurm.gpus_per_task > 0) argv.push_back(absl::StrCat("--gres=gpu:", slurm.gpus_per_task));
    argv.insert(argv.end(), slurm.sbatch_options.begin(), slurm.sbatch_options.end());
    argv.push_back(script_path.string());
    RWKVKIT_ASSIGN_OR_RETURN(const CommandResult r, RunCommand(argv));
    std::string id(absl::StripAsciiWhitespace(r.output.substr(0, r.output.find(';'))));
    if (r.status != 0 || id.empty() || id.find_first_not_of("0123456789") != std::string::npos)
      return absl::UnavailableError(absl::StrCat("sbatch for stage ", StageName(stage), " failed (status ", r.status,
                                                 "): ", absl::StripAsciiWhitespace(r.output)));
    for (const uint32_t t : pending) earlier.push_back(absl::StrCat(id, "_", t));
    arrays.push_back(id);
    result.tasks_run += static_cast<int>(pending.size());
    absl::StrAppend(&jobs_log, StageName(stage), " ", id, " ", absl::StrJoin(pending, ","), "\n");
    RWKVKIT_RETURN_IF_ERROR(base::WriteFileAtomically(scripts / "jobs.txt", jobs_log));
    std::fprintf(stderr, "%s: stage %s: submitted job array %s (%zu tasks)\n", who.c_str(),
                 std::string(StageName(stage)).c_str(), id.c_str(), pending.size());
  }
  const std::string ids = absl::StrJoin(arrays, ",");
  int unanswered = 0;  // squeue calls in a row that failed for another reason than finished jobs
  while (true) {
    if (Finished(work, plan, true)) break;
    absl::StatusOr<CommandResult> q = RunCommand({"squeue", "-h", "-r", "-j", ids, "-o", "%i"});
    // squeue prints nothing for finished jobs it still knows and "Invalid job id" for those it
    // has forgotten (MinJobAge); any other failure (the controller busy or restarting) is
    // retried for a while before the run gives up.
    const bool forgotten = q.ok() && q->status != 0 && absl::StrContains(q->output, "Invalid job id");
    if ((!q.ok() || q->status != 0) && !forgotten) {
      if (++unanswered > 120)
        return absl::UnavailableError(absl::StrCat("squeue keeps failing: ",
                                                   q.ok() ? absl::StripAsciiWhitespace(q->output)
                                                          : q.status().message(),
                                                   " (the jobs may still run: ", who, " --status ",
                                                   work.string(), ")"));
    } else {
      unanswered = 0;
      const bool queued = !forgotten && !absl::StripAsciiWhitespace(q->output).empty();
      if (!queued) {
        if (Finished(work, plan, true)) break;
        return absl::AbortedError(FirstFailure(work, plan));
      }
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(slurm.poll_seconds));
  }
  return result;
}

}  // namespace rwkvkit::corpus::tasks
