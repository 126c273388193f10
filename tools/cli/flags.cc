// tools/cli/flags.cc — see flags.h.
#include "tools/cli/flags.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace rwkvkit::cli {
namespace {

constexpr size_t kHelpColumn = 24;  // where descriptions start in the usage text

const Flag kHelpFlag{"help", FlagKind::kBool, "", "print this help and exit", 'h', ""};
const Flag kVersionFlag{"version", FlagKind::kBool, "", "print the version and exit", 'V', ""};

// All flags of a command, the common ones last.
std::vector<const Flag*> AllFlags(const CommandSpec& spec) {
  std::vector<const Flag*> all;
  for (const Flag& f : spec.flags) all.push_back(&f);
  all.push_back(&kHelpFlag);
  all.push_back(&kVersionFlag);
  return all;
}

// Optimal-string-alignment distance (insertions, deletions, substitutions, adjacent swaps).
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

std::string Spell(const Flag& f) {
  return f.short_name ? absl::StrCat("-", std::string(1, f.short_name), ", --", f.name) : absl::StrCat("--", f.name);
}

}  // namespace

Flag ThreadsFlag(std::string help) { return {"threads", FlagKind::kValue, "N", std::move(help), 0, ""}; }

Flag VocabFlag() {
  return {"vocab", FlagKind::kValue, "PATH",
          "the World vocab file (default: $RWKVKIT_VOCAB, else the installed copy; docs/cli.md)", 0, ""};
}

Flag NoProgressFlag() { return {"no-progress", FlagKind::kBool, "", "no progress lines on stderr", 0, ""}; }

Flag TextKeyFlag(std::string help) { return {"text-key", FlagKind::kValue, "KEY", std::move(help), 0, ""}; }

Flag OutFlag(std::string metavar, std::string help) {
  return {"out", FlagKind::kValue, std::move(metavar), std::move(help), 'o', ""};
}

Flag MaxRecordBytesFlag() {
  return {"max-record-bytes", FlagKind::kValue, "N",
          "longest record (JSON line, text file, Parquet cell) in bytes; a longer one is\n"
          "counted as bad with its file and line and skipped, never held in memory\n"
          "(default: 67108864 = 64 MiB)",
          0, ""};
}

const char* VersionLine() { return "rwkvkit " RWKVKIT_VERSION; }

void ParsedFlags::CheckDeclared(const std::string& name) const {
  if (declared.contains(name)) return;
  std::fprintf(stderr, "rwkvkit: internal error: flag --%s is read but not declared\n", name.c_str());
  std::abort();
}

bool ParsedFlags::Has(const std::string& name) const {
  CheckDeclared(name);
  return set_booleans.contains(name) || values.contains(name);
}

std::optional<std::string> ParsedFlags::Get(const std::string& name) const {
  CheckDeclared(name);
  const auto it = values.find(name);
  if (it == values.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> ParsedFlags::GetAll(const std::string& name) const {
  CheckDeclared(name);
  const auto it = all_values.find(name);
  return it == all_values.end() ? std::vector<std::string>() : it->second;
}

absl::StatusOr<long> ParsedFlags::GetInt(const std::string& name, long fallback, long lo, long hi) const {
  const std::optional<std::string> v = Get(name);
  if (!v) return fallback;
  long x = 0;
  const auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), x);
  if (v->empty() || ec != std::errc() || ptr != v->data() + v->size() || x < lo || x > hi)
    return absl::InvalidArgumentError(absl::StrFormat("--%s wants an integer in %d..%d (saw \"%s\")", name, lo, hi, *v));
  return x;
}

absl::StatusOr<std::string> ParsedFlags::InputPath() const {
  if (positional.size() > 1) return absl::InvalidArgumentError("at most one input FILE (or - for stdin)");
  return positional.empty() ? std::string("-") : positional[0];
}

std::optional<std::string> Suggest(std::string_view typed, const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  size_t best_distance = SIZE_MAX;
  for (const std::string& c : candidates) {
    size_t d = EditDistance(typed, c);
    if (typed.size() >= 3 && c.starts_with(typed)) d = std::min<size_t>(d, 1);  // an abbreviation
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  // Close enough: at most 2 edits, and fewer than half of what was typed.
  if (!best || best_distance > 2 || 2 * best_distance >= std::max<size_t>(typed.size(), 2)) return std::nullopt;
  return best;
}

absl::StatusOr<ParsedFlags> ParseFlags(int argc, char** argv, const CommandSpec& spec) {
  const std::vector<const Flag*> all = AllFlags(spec);
  ParsedFlags out;
  for (const Flag* f : all)
    if (f->alias_of.empty()) out.declared.insert(f->name);
  auto by_long = [&](std::string_view name) -> const Flag* {
    for (const Flag* f : all)
      if (f->name == name) return f;
    return nullptr;
  };
  auto by_short = [&](char c) -> const Flag* {
    for (const Flag* f : all)
      if (f->short_name == c) return f;
    return nullptr;
  };
  auto unknown = [&](const std::string& spelled, std::string_view name) {
    std::vector<std::string> names;
    for (const Flag* f : all)
      if (f->alias_of.empty()) names.push_back(f->name);
    const std::optional<std::string> close = Suggest(name, names);
    return absl::InvalidArgumentError(absl::StrCat("unknown option ", spelled,
                                                   close ? absl::StrCat(" (did you mean --", *close, "?)") : "",
                                                   "; see rwkvkit ", spec.name, " --help"));
  };
  bool options_done = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (options_done || arg == "-" || arg.empty() || arg[0] != '-') {
      out.positional.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_done = true;
      continue;
    }
    const Flag* flag = nullptr;
    std::optional<std::string> value;
    std::string spelled;
    if (arg[1] == '-') {  // --name or --name=value
      std::string name = arg.substr(2);
      if (const size_t eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name.resize(eq);
      }
      spelled = "--" + name;
      flag = by_long(name);
      if (flag == nullptr) return unknown(spelled, name);
    } else {  // -x, -xVALUE
      spelled = arg.substr(0, 2);
      flag = by_short(arg[1]);
      if (flag == nullptr) return unknown(arg, arg.substr(1));
      if (arg.size() > 2) {
        if (flag->kind == FlagKind::kBool) return unknown(arg, arg.substr(1));
        value = arg.substr(2);
      }
    }
    if (!flag->alias_of.empty()) {
      out.warnings.push_back(absl::StrCat(spelled, " is deprecated; use --", flag->alias_of));
      flag = by_long(flag->alias_of);
    }
    if (flag->kind == FlagKind::kBool) {
      if (value) return absl::InvalidArgumentError(absl::StrCat("--", flag->name, " takes no value"));
      out.set_booleans.insert(flag->name);
      continue;
    }
    if (!value) {
      if (i + 1 >= argc) return absl::InvalidArgumentError(absl::StrCat(spelled, " needs a value (", flag->metavar, ")"));
      value = argv[++i];
    }
    out.values[flag->name] = *value;
    out.all_values[flag->name].push_back(*value);
  }
  return out;
}

std::string FormatUsage(const CommandSpec& spec) {
  std::string out = "usage: ";
  const std::string lead = absl::StrCat("rwkvkit ", spec.name, " ");
  bool first = true;
  for (absl::string_view line : absl::StrSplit(spec.synopsis, '\n')) {
    absl::StrAppend(&out, first ? "" : "       ", lead, line, "\n");
    first = false;
  }
  if (!spec.description.empty()) absl::StrAppend(&out, "\n", spec.description, spec.description.ends_with('\n') ? "" : "\n");
  out += "\noptions:\n";
  for (const Flag* f : AllFlags(spec)) {
    if (!f->alias_of.empty()) continue;
    std::string left = absl::StrCat("  ", Spell(*f), f->kind == FlagKind::kBool ? "" : absl::StrCat(" ", f->metavar));
    if (f->kind == FlagKind::kRepeated) left += " ...";
    if (left.size() + 2 > kHelpColumn) {
      out += left + "\n";
      left.clear();
    }
    left.resize(kHelpColumn, ' ');
    bool first_line = true;
    for (absl::string_view line : absl::StrSplit(f->help, '\n')) {
      absl::StrAppend(&out, first_line ? left : std::string(kHelpColumn, ' '), line, "\n");
      first_line = false;
    }
  }
  return out;
}

std::optional<int> ParseCommandLine(int argc, char** argv, const CommandSpec& spec, ParsedFlags& out) {
  absl::StatusOr<ParsedFlags> parsed = ParseFlags(argc, argv, spec);
  if (!parsed.ok()) {
    std::fprintf(stderr, "rwkvkit %s: %s\n", spec.name.c_str(), std::string(parsed.status().message()).c_str());
    return 2;
  }
  out = *std::move(parsed);
  if (out.Has("help")) {
    std::fputs(FormatUsage(spec).c_str(), stdout);
    return 0;
  }
  if (out.Has("version")) {
    std::puts(VersionLine());
    return 0;
  }
  for (const std::string& w : out.warnings) std::fprintf(stderr, "rwkvkit %s: %s\n", spec.name.c_str(), w.c_str());
  return std::nullopt;
}

}  // namespace rwkvkit::cli
