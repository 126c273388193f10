// tools/cli/flags.cc — see flags.h.
#include "tools/cli/flags.h"

#include <charconv>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace rwkvkit::cli {

std::optional<std::string> ParsedFlags::Get(const std::string& name) const {
  const auto it = values.find(name);
  if (it == values.end()) return std::nullopt;
  return it->second;
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

absl::StatusOr<ParsedFlags> ParseFlags(int argc, char** argv, const FlagSpec& spec) {
  ParsedFlags out;
  bool options_done = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (options_done || arg == "-" || arg.rfind("--", 0) != 0) {
      if (!options_done && arg.size() > 1 && arg[0] == '-' && arg != "-")
        return absl::InvalidArgumentError(absl::StrCat("unknown option ", arg, " (options are --long)"));
      out.positional.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_done = true;
      continue;
    }
    std::string name = arg.substr(2);
    std::optional<std::string> value;
    if (const size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (spec.boolean.contains(name)) {
      if (value) return absl::InvalidArgumentError(absl::StrCat("--", name, " takes no value"));
      out.set_booleans.insert(name);
    } else if (spec.with_value.contains(name)) {
      if (!value) {
        if (i + 1 >= argc) return absl::InvalidArgumentError(absl::StrCat("--", name, " needs a value"));
        value = argv[++i];
      }
      out.values[name] = *value;
      out.all_values[name].push_back(*value);
    } else {
      return absl::InvalidArgumentError(absl::StrCat("unknown option --", name));
    }
  }
  return out;
}

}  // namespace rwkvkit::cli
