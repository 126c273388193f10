// tools/commands.h — the rwkvkit subcommands. Each takes argv with argv[0] = the subcommand
// name, prints its own --help, reports errors as one line on stderr, and returns the exit
// status. Only tools/ turns a Status into text and an exit code.
#ifndef RWKVKIT_TOOLS_COMMANDS_H_
#define RWKVKIT_TOOLS_COMMANDS_H_

#include <string_view>

#include "absl/status/status.h"

namespace rwkvkit::cli {

int RunTokenize(int argc, char** argv);
int RunDetokenize(int argc, char** argv);
int RunStats(int argc, char** argv);
int RunBuild(int argc, char** argv);
int RunInspect(int argc, char** argv);
int RunMerge(int argc, char** argv);
int RunEval(int argc, char** argv);
int RunBench(int argc, char** argv);

// Prints "rwkvkit <command>: <message>" on stderr and returns 2 (usage) or 1 (other errors).
int ReportError(std::string_view command, const absl::Status& status);

}  // namespace rwkvkit::cli

#endif  // RWKVKIT_TOOLS_COMMANDS_H_
