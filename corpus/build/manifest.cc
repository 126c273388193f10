// corpus/build/manifest.cc — manifest parsing and validation (see manifest.h).
#include "corpus/build/manifest.h"

#include <set>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/file_io.h"
#include "base/status_macros.h"
#include "corpus/filters/filter_settings.h"
#include "corpus/input/input_format.h"
#include "simdjson.h"

namespace rwkvkit::corpus::build {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

// Builds errors that name the file and the JSON path of the field.
class Checker {
 public:
  explicit Checker(std::string file) : file_(std::move(file)) {}
  absl::Status Error(std::string_view where, std::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat(file_, ": ", std::string(where), ": ", std::string(what)));
  }
  absl::Status OnlyKeys(const object& o, std::string_view where, const std::set<std::string_view>& allowed) const {
    for (const auto kv : o)
      if (!allowed.contains(kv.key))
        return Error(where, absl::StrCat("unknown key \"", std::string(kv.key), "\""));
    return absl::OkStatus();
  }
  absl::StatusOr<std::string> String(const object& o, std::string_view where, std::string_view key,
                                     bool required) const {
    element e;
    if (o[key].get(e) != simdjson::SUCCESS) {
      if (required) return Error(where, absl::StrCat("missing \"", std::string(key), "\""));
      return std::string();
    }
    std::string_view s;
    if (e.get_string().get(s) != simdjson::SUCCESS || (required && s.empty()))
      return Error(absl::StrCat(std::string(where), ".", std::string(key)), "must be a non-empty string");
    return std::string(s);
  }
  absl::StatusOr<uint64_t> Uint(const object& o, std::string_view where, std::string_view key, bool required,
                                uint64_t fallback, uint64_t min) const {
    element e;
    if (o[key].get(e) != simdjson::SUCCESS) {
      if (required) return Error(where, absl::StrCat("missing \"", std::string(key), "\""));
      return fallback;
    }
    uint64_t v = 0;
    if (e.get_uint64().get(v) != simdjson::SUCCESS || v < min)
      return Error(absl::StrCat(std::string(where), ".", std::string(key)),
                   absl::StrCat("must be an integer >= ", min, " (saw ", simdjson::minify(e), ")"));
    return v;
  }

 private:
  std::string file_;
};

// Why `s` cannot be a name ("" when it can): control characters (NUL included) and DEL end
// up in messages and file names.
std::string ControlCharacterIn(std::string_view s) {
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7F) return absl::StrFormat("holds the control character 0x%02x", c);
  }
  return "";
}

absl::StatusOr<ManifestSource> ParseSource(const Checker& c, const element& e, std::string_view where,
                                           const std::filesystem::path& base_dir) {
  object o;
  if (e.get_object().get(o) != simdjson::SUCCESS) return c.Error(where, "must be an object");
  RWKVKIT_RETURN_IF_ERROR(c.OnlyKeys(
      o, where,
      {"name", "paths", "format", "text_key", "id_key", "language", "license", "weight", "description", "filters"}));
  ManifestSource s;
  RWKVKIT_ASSIGN_OR_RETURN(s.name, c.String(o, where, "name", true));
  if (const std::string why = ControlCharacterIn(s.name); !why.empty())
    return c.Error(absl::StrCat(std::string(where), ".name"), absl::StrCat("must be a plain name (it ", why, ")"));
  element description;
  if (o["description"].get(description) == simdjson::SUCCESS && !description.is_string())
    return c.Error(absl::StrCat(std::string(where), ".description"), "must be a string");
  RWKVKIT_ASSIGN_OR_RETURN(s.license, c.String(o, where, "license", true));
  RWKVKIT_ASSIGN_OR_RETURN(std::string format, c.String(o, where, "format", false));
  if (!format.empty()) s.format = format;
  if (!input::IsKnownFormat(s.format))
    return c.Error(absl::StrCat(std::string(where), ".format"),
                   absl::StrCat("must be \"jsonl\", \"jsonl.zst\", \"jsonl.gz\", \"jsonl.xz\", \"text\", \"parquet\" "
                                "or \"auto\" (saw \"", s.format, "\")"));
  RWKVKIT_ASSIGN_OR_RETURN(std::string text_key, c.String(o, where, "text_key", false));
  if (!text_key.empty()) s.text_key = text_key;
  RWKVKIT_ASSIGN_OR_RETURN(std::string id_key, c.String(o, where, "id_key", false));
  if (!id_key.empty()) s.id_key = id_key;
  element lang;
  if (o["language"].get(lang) == simdjson::SUCCESS && !lang.is_null()) {
    std::string_view l;
    if (lang.get_string().get(l) != simdjson::SUCCESS || l.empty())
      return c.Error(absl::StrCat(std::string(where), ".language"), "must be a BCP 47 tag or null");
    s.language = std::string(l);
  }
  element weight;
  if (o["weight"].get(weight) == simdjson::SUCCESS) {
    if (weight.get_double().get(s.weight) != simdjson::SUCCESS || !(s.weight > 0))
      return c.Error(absl::StrCat(std::string(where), ".weight"),
                     absl::StrCat("must be a number > 0 (saw ", simdjson::minify(weight), ")"));
    if (s.weight > kMaxSourceWeight)
      return c.Error(absl::StrCat(std::string(where), ".weight"),
                     absl::StrCat("must be at most 65535, the most copies of one document a build stores (saw ",
                                  simdjson::minify(weight), ")"));
  }
  simdjson::dom::array paths;
  if (o["paths"].get_array().get(paths) != simdjson::SUCCESS || paths.size() == 0)
    return c.Error(absl::StrCat(std::string(where), ".paths"), "must be a non-empty array of strings");
  size_t i = 0;
  for (const element p : paths) {
    std::string_view ps;
    if (p.get_string().get(ps) != simdjson::SUCCESS || ps.empty())
      return c.Error(absl::StrCat(std::string(where), ".paths[", i, "]"), "must be a non-empty string");
    const std::filesystem::path path(std::string{ps});
    s.paths.push_back(path.is_absolute() ? path : (base_dir / path).lexically_normal());
    ++i;
  }
  return s;
}

// "near_dedup": {"enabled": bool, "ngram": 1..64, "bands": >= 1, "rows": >= 1, "threshold": (0, 1]}.
absl::StatusOr<ManifestNearDedup> ParseNearDedup(const Checker& c, const element& e) {
  object o;
  if (e.get_object().get(o) != simdjson::SUCCESS) return c.Error("near_dedup", "must be an object");
  RWKVKIT_RETURN_IF_ERROR(c.OnlyKeys(o, "near_dedup", {"enabled", "ngram", "bands", "rows", "threshold"}));
  ManifestNearDedup n;
  element v;
  if (o["enabled"].get(v) == simdjson::SUCCESS) {
    bool b = false;
    if (v.get_bool().get(b) != simdjson::SUCCESS)
      return c.Error("near_dedup.enabled", absl::StrCat("must be true or false (saw ", simdjson::minify(v), ")"));
    n.enabled = b;
  }
  RWKVKIT_ASSIGN_OR_RETURN(const uint64_t ngram, c.Uint(o, "near_dedup", "ngram", false, n.config.ngram, 1));
  RWKVKIT_ASSIGN_OR_RETURN(const uint64_t bands, c.Uint(o, "near_dedup", "bands", false, n.config.bands, 1));
  RWKVKIT_ASSIGN_OR_RETURN(const uint64_t rows, c.Uint(o, "near_dedup", "rows", false, n.config.rows, 1));
  if (ngram > 64) return c.Error("near_dedup.ngram", absl::StrCat("must be at most 64 (saw ", ngram, ")"));
  if (bands * rows > 4096 || bands > 4096 || rows > 4096)
    return c.Error("near_dedup", absl::StrCat("bands x rows must be at most 4096 (saw ", bands, " x ", rows, ")"));
  n.config.ngram = static_cast<int>(ngram);
  n.config.bands = static_cast<int>(bands);
  n.config.rows = static_cast<int>(rows);
  if (o["threshold"].get(v) == simdjson::SUCCESS) {
    if (v.get_double().get(n.config.threshold) != simdjson::SUCCESS || !(n.config.threshold > 0) ||
        n.config.threshold > 1)
      return c.Error("near_dedup.threshold",
                     absl::StrCat("must be a number in (0, 1] (saw ", simdjson::minify(v), ")"));
  }
  return n;
}

}  // namespace

absl::Status CheckCorpusName(std::string_view name) {
  std::string why;
  if (name.empty()) why = "is empty";
  else if (name.size() > 200) why = absl::StrCat("is ", name.size(), " bytes long (at most 200)");
  else if (name.find('/') != std::string_view::npos || name.find('\\') != std::string_view::npos)
    why = "holds a path separator";
  else if (name.front() == '.') why = "starts with '.'";
  else if (name.front() == '-') why = "starts with '-'";
  else why = ControlCharacterIn(name);
  if (why.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("corpus name \"", absl::CHexEscape(absl::string_view(name.data(), name.size())), "\" ", why,
                                                 "; it names the shard files (<name>_00000.bin), so it must be a "
                                                 "plain file name"));
}

absl::StatusOr<Manifest> ParseManifest(std::string_view json, std::string_view source_name,
                                       const std::filesystem::path& base_dir) {
  const Checker c{std::string(source_name)};
  if (json.starts_with("\xEF\xBB\xBF")) json.remove_prefix(3);  // a UTF-8 BOM, as some editors write
  simdjson::dom::parser parser;
  element root;
  if (auto e = parser.parse(json.data(), json.size()).get(root))
    return c.Error("(document)", absl::StrCat("invalid JSON (", simdjson::error_message(e), ")"));
  object o;
  if (root.get_object().get(o) != simdjson::SUCCESS) return c.Error("(document)", "must be a JSON object");
  RWKVKIT_RETURN_IF_ERROR(
      c.OnlyKeys(o, "(document)", {"name", "description", "seed", "sources", "output", "near_dedup", "filters"}));
  Manifest m;
  RWKVKIT_ASSIGN_OR_RETURN(m.name, c.String(o, "(document)", "name", true));
  if (absl::Status st = CheckCorpusName(m.name); !st.ok()) return c.Error("(document).name", std::string(st.message()));
  RWKVKIT_ASSIGN_OR_RETURN(m.description, c.String(o, "(document)", "description", false));
  RWKVKIT_ASSIGN_OR_RETURN(m.seed, c.Uint(o, "(document)", "seed", false, 0, 0));
  simdjson::dom::array sources;
  if (o["sources"].get_array().get(sources) != simdjson::SUCCESS || sources.size() == 0)
    return c.Error("sources", "must be a non-empty array of objects");
  std::set<std::string> names;
  size_t i = 0;
  for (const element s : sources) {
    const std::string where = absl::StrCat("sources[", i++, "]");
    RWKVKIT_ASSIGN_OR_RETURN(ManifestSource src, ParseSource(c, s, where, base_dir));
    if (!names.insert(src.name).second)
      return c.Error(where, absl::StrCat("source name \"", src.name, "\" is used twice"));
    // Filter settings: defaults, the top-level "filters", the source's own (filter_settings.h).
    element top_filters, own_filters;
    if (o["filters"].get(top_filters) == simdjson::SUCCESS)
      RWKVKIT_RETURN_IF_ERROR(filters::ApplyFilterSettings(top_filters, source_name, "filters", src.filters));
    if (IsCodeSource(src)) filters::ResetForCodeSource(src.filters);
    if (s["filters"].get(own_filters) == simdjson::SUCCESS)
      RWKVKIT_RETURN_IF_ERROR(filters::ApplyFilterSettings(own_filters, source_name, where + ".filters", src.filters));
    m.sources.push_back(std::move(src));
  }
  object out;
  if (o["output"].get_object().get(out) != simdjson::SUCCESS) return c.Error("output", "must be an object");
  RWKVKIT_RETURN_IF_ERROR(c.OnlyKeys(out, "output", {"dir", "shard_tokens", "ctx_len"}));
  RWKVKIT_ASSIGN_OR_RETURN(std::string dir, c.String(out, "output", "dir", true));
  m.output.dir = std::filesystem::path(dir).is_absolute() ? std::filesystem::path(dir) : (base_dir / dir).lexically_normal();
  RWKVKIT_ASSIGN_OR_RETURN(m.output.shard_tokens, c.Uint(out, "output", "shard_tokens", true, 0, 1));
  RWKVKIT_ASSIGN_OR_RETURN(m.output.ctx_len, c.Uint(out, "output", "ctx_len", true, 0, 1));
  element near;
  if (o["near_dedup"].get(near) == simdjson::SUCCESS) {
    RWKVKIT_ASSIGN_OR_RETURN(m.near_dedup, ParseNearDedup(c, near));
  }
  return m;
}

absl::StatusOr<Manifest> LoadManifest(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return absl::NotFoundError(absl::StrCat(path.string(), ": no such manifest"));
  if (std::filesystem::is_directory(path, ec))
    return absl::InvalidArgumentError(absl::StrCat(path.string(), ": is a directory, not a manifest file"));
  RWKVKIT_ASSIGN_OR_RETURN(const std::string text, base::ReadFile(path));
  return ParseManifest(text, path.string(), path.parent_path().empty() ? "." : path.parent_path());
}

}  // namespace rwkvkit::corpus::build
