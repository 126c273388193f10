// tools/cli/flags.h — the flag table of a subcommand: one declaration per flag makes both the
// parser and the usage text.
//
// A command is a CommandSpec: its synopsis, a description and a table of Flags {name, kind,
// metavar, help, short form, alias}. ParseFlags() accepts `--name value`, `--name=value`,
// `-o value`, `-ovalue`, boolean `--name`, and positionals; `-` is a positional (stdin) and
// `--` ends the options. An unknown flag is a kInvalidArgument naming it, with "did you mean"
// when a declared flag is close. `-h/--help` and `-V/--version` are declared for every command.
// FormatUsage() writes the usage text from the same table. Shared flags (--threads, --vocab,
// --no-progress, --text-key, -o/--out) come from the factories below so every command names
// and describes them alike. Not thread-safe (used once per process).
#ifndef RWKVKIT_TOOLS_CLI_FLAGS_H_
#define RWKVKIT_TOOLS_CLI_FLAGS_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "corpus/input/block_reader.h"

namespace rwkvkit::cli {

enum class FlagKind {
  kBool,      // --name
  kValue,     // --name VALUE; the last one wins
  kRepeated,  // --name VALUE, any number of times, all kept in order
};

struct Flag {
  Flag(std::string name_, FlagKind kind_, std::string metavar_, std::string help_, char short_name_ = 0,
       std::string alias_of_ = "")
      : name(std::move(name_)), kind(kind_), metavar(std::move(metavar_)), help(std::move(help_)),
        short_name(short_name_), alias_of(std::move(alias_of_)) {}

  std::string name;      // long name without "--", e.g. "threads"
  FlagKind kind;
  std::string metavar;   // what the value is, e.g. "N" or "on|off" (value flags)
  std::string help;      // the description; '\n' starts a continuation line
  char short_name = 0;   // e.g. 'o' for -o; 0 for none
  std::string alias_of;  // non-empty: a hidden, deprecated spelling of the flag of that name
};

struct CommandSpec {
  std::string name;         // "build", "bench tokenizer"
  std::string synopsis;     // after "usage: rwkvkit <name> "; '\n' starts another usage line
  std::string description;  // paragraphs between the synopsis and the flag list
  std::vector<Flag> flags;  // in the order the usage lists them
};

// Shared flags: one name and one description everywhere.
Flag ThreadsFlag(std::string help = "threads to use (default: all cores); the output does not depend on it");
Flag VocabFlag();
Flag NoProgressFlag();
Flag TextKeyFlag(std::string help = "JSON key of the text (default: text)");
Flag OutFlag(std::string metavar, std::string help);
// --max-record-bytes N (read with GetInt(.., corpus::input::kDefaultMaxRecordBytes, 1, kMaxRecordBytesLimit)).
Flag MaxRecordBytesFlag();
inline constexpr long kMaxRecordBytesLimit = static_cast<long>(corpus::input::kMaxRecordBytesLimit);

struct ParsedFlags {
  std::map<std::string, std::string> values;                   // the last value of each flag
  std::map<std::string, std::vector<std::string>> all_values;  // every value, in order
  std::set<std::string> set_booleans;
  std::vector<std::string> positional;
  std::vector<std::string> warnings;  // e.g. a deprecated alias was used
  std::set<std::string> declared;     // every canonical name of the spec

  // Has(), Get(), GetInt() take a declared (canonical) name; an undeclared one is a
  // programming error and aborts with its name.
  bool Has(const std::string& name) const;
  std::optional<std::string> Get(const std::string& name) const;
  // Every value of a flag (empty when absent).
  std::vector<std::string> GetAll(const std::string& name) const;
  // An integer flag in [lo, hi]; `fallback` when absent.
  absl::StatusOr<long> GetInt(const std::string& name, long fallback, long lo, long hi) const;
  // The one positional FILE, or "-" (stdin) when there is none; kInvalidArgument for more.
  absl::StatusOr<std::string> InputPath() const;

 private:
  void CheckDeclared(const std::string& name) const;
};

// ParseFlags()
// argv[0] is the command name. kInvalidArgument for an unknown flag (with a suggestion when
// one is close), a missing value, or a value given to a boolean flag.
absl::StatusOr<ParsedFlags> ParseFlags(int argc, char** argv, const CommandSpec& spec);

// FormatUsage()
// "usage: rwkvkit <name> <synopsis>", the description, then every visible flag with its help,
// aligned; aliases are not listed.
std::string FormatUsage(const CommandSpec& spec);

// ParseCommandLine()
// ParseFlags() plus the common endings: prints the usage on stdout for --help, the version
// for --version, a warning line for each deprecated alias used, and the error (exit 2) for a
// usage error. Returns the exit status when the command should stop there, else nullopt.
std::optional<int> ParseCommandLine(int argc, char** argv, const CommandSpec& spec, ParsedFlags& out);

// Suggest()
// The candidate closest to `typed` (edit distance, or `typed` a prefix of it) when it is
// close enough to be a likely misspelling; nullopt otherwise.
std::optional<std::string> Suggest(std::string_view typed, const std::vector<std::string>& candidates);

// The version line: "rwkvkit <version>".
const char* VersionLine();

}  // namespace rwkvkit::cli

#endif  // RWKVKIT_TOOLS_CLI_FLAGS_H_
