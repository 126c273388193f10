// tools/cli/flags.h — a small command-line parser for the rwkvkit subcommands.
//
// Accepts `--name value`, `--name=value`, boolean `--name`, and positional arguments; `-`
// is a positional (stdin) and `--` ends the options. Each subcommand declares its flags so
// that an unknown flag is an error naming it. Not thread-safe (used once per process).
#ifndef RWKVKIT_TOOLS_CLI_FLAGS_H_
#define RWKVKIT_TOOLS_CLI_FLAGS_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace rwkvkit::cli {

struct FlagSpec {
  std::set<std::string> with_value;  // e.g. "vocab", "threads"
  std::set<std::string> boolean;     // e.g. "jsonl", "help"
};

struct ParsedFlags {
  std::map<std::string, std::string> values;                     // the last value of each flag
  std::map<std::string, std::vector<std::string>> all_values;    // every value, for repeatable flags
  std::set<std::string> set_booleans;
  std::vector<std::string> positional;

  bool Has(const std::string& name) const { return set_booleans.contains(name) || values.contains(name); }
  std::optional<std::string> Get(const std::string& name) const;
  // An integer flag in [lo, hi]; `fallback` when absent.
  absl::StatusOr<long> GetInt(const std::string& name, long fallback, long lo, long hi) const;
};

// ParseFlags()
// argv[0] is the subcommand name. kInvalidArgument for an unknown flag or a missing value.
absl::StatusOr<ParsedFlags> ParseFlags(int argc, char** argv, const FlagSpec& spec);

}  // namespace rwkvkit::cli

#endif  // RWKVKIT_TOOLS_CLI_FLAGS_H_
