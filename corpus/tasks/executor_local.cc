// corpus/tasks/executor_local.cc — see executor_local.h.
#include "corpus/tasks/executor_local.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/file_io.h"
#include "corpus/build/build_report.h"

namespace rwkvkit::corpus::tasks {
namespace {

absl::StatusOr<pid_t> Start(const std::vector<std::string>& argv, const std::filesystem::path& log,
                            const std::string& env) {
  const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return absl::UnavailableError(absl::StrCat(log.string(), ": cannot create (", std::strerror(errno), ")"));
  // Everything the child needs is made before fork(): after it, only async-signal-safe calls.
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  // This process's environment, with `env` ("NAME=VALUE") in place of its variable.
  std::vector<char*> envp;
  const std::string_view name = std::string_view(env).substr(0, env.find('='));
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view var(*e);
    if (env.empty() || !(var.starts_with(name) && var.size() > name.size() && var[name.size()] == '='))
      envp.push_back(*e);
  }
  if (!env.empty()) envp.push_back(const_cast<char*>(env.c_str()));
  envp.push_back(nullptr);
  const std::string cannot_run = absl::StrCat("rwkvkit: cannot run ", argv[0], "\n");
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
    ::execve(args[0], args.data(), envp.data());
    (void)!::write(STDERR_FILENO, cannot_run.data(), cannot_run.size());
    ::_exit(127);
  }
  const int err = errno;
  ::close(fd);
  if (pid < 0) return absl::UnavailableError(absl::StrCat("cannot start a task process (", std::strerror(err), ")"));
  return pid;
}

std::string ExitText(int status) {
  if (WIFEXITED(status)) return absl::StrCat("exit status ", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return absl::StrCat("killed by signal ", WTERMSIG(status));
  return "ended abnormally";
}

}  // namespace

std::string CommandName(const std::vector<std::string>& command) {
  return absl::StrCat("rwkvkit ", command.size() > 1 ? command[1] : std::string("build"));
}

std::string LastLogLine(const std::filesystem::path& log) {
  std::string last;
  for (absl::string_view line : absl::StrSplit(base::ReadFile(log).value_or(""), '\n', absl::SkipWhitespace()))
    last = std::string(line);
  return last;
}

std::vector<uint32_t> PendingTasks(const std::filesystem::path& work, const TaskPlan& plan, Stage stage,
                                   const std::string& who, ExecutorResult& result, bool earlier_pending) {
  std::vector<uint32_t> pending;
  const std::string upstream = UpstreamHash(work, plan, stage);
  for (uint32_t t = 0; t < TaskCount(plan, stage); ++t) {
    absl::Status done = CheckDone(work, plan, stage, t, Verify::kChecksums, &upstream);
    if (done.ok() && earlier_pending) done = absl::DataLossError("an earlier stage runs tasks again");
    if (done.ok()) {
      ++result.tasks_skipped;
      continue;
    }
    if (!absl::IsNotFound(done))
      std::fprintf(stderr, "%s: redoing task %s %u: %s\n", who.c_str(), StageName(stage).c_str(), t,
                   std::string(done.message()).c_str());
    pending.push_back(t);
  }
  return pending;
}

absl::StatusOr<ExecutorResult> RunLocalExecutor(const std::filesystem::path& work, const TaskPlan& plan,
                                                const std::vector<std::string>& command, int parallel,
                                                const std::vector<std::string>& slot_env) {
  ExecutorResult result;
  const std::string who = CommandName(command);
  if (parallel < 1) parallel = 1;
  if (!slot_env.empty()) parallel = std::min(parallel, static_cast<int>(slot_env.size()));
  if (Finished(work, plan)) {
    result.tasks_skipped = static_cast<int>(TaskCount(plan, StagesOf(plan).back()));
    return result;
  }
  for (Stage stage : StagesOf(plan)) {
    const std::vector<uint32_t> pending = PendingTasks(work, plan, stage, who, result);
    std::map<pid_t, std::pair<uint32_t, int>> running;  // task, slot
    std::vector<bool> slot_busy(static_cast<size_t>(parallel), false);
    std::string failure;
    size_t next = 0;
    while (next < pending.size() || !running.empty()) {
      while (failure.empty() && next < pending.size() && running.size() < static_cast<size_t>(parallel)) {
        const uint32_t t = pending[next++];
        std::vector<std::string> argv = command;
        argv.insert(argv.end(), {"--stage", std::string(StageName(stage)), "--task", std::to_string(t)});
        const int slot = static_cast<int>(std::find(slot_busy.begin(), slot_busy.end(), false) - slot_busy.begin());
        absl::StatusOr<pid_t> pid =
            Start(argv, LogPath(work, stage, t), slot_env.empty() ? std::string() : slot_env[static_cast<size_t>(slot)]);
        if (!pid.ok()) {
          failure = std::string(pid.status().message());
          break;
        }
        running[*pid] = {t, slot};
        slot_busy[static_cast<size_t>(slot)] = true;
        ++result.tasks_run;
      }
      if (!failure.empty()) next = pending.size();
      if (running.empty()) break;
      int status = 0;
      const pid_t done = ::waitpid(-1, &status, 0);
      if (done < 0) {
        if (errno == EINTR) continue;
        return absl::InternalError(absl::StrCat("waitpid failed (", std::strerror(errno), ")"));
      }
      auto it = running.find(done);
      if (it == running.end()) continue;
      const uint32_t t = it->second.first;
      slot_busy[static_cast<size_t>(it->second.second)] = false;
      running.erase(it);
      if ((!WIFEXITED(status) || WEXITSTATUS(status) != 0) && failure.empty()) {
        const std::filesystem::path log = LogPath(work, stage, t);
        failure = absl::StrCat("task ", StageName(stage), " ", t, " failed (", ExitText(status), "): ",
                               LastLogLine(log), " (log: ", log.string(), ")");
      }
    }
    if (!failure.empty()) return absl::AbortedError(failure);
  }
  return result;
}

}  // namespace rwkvkit::corpus::tasks
