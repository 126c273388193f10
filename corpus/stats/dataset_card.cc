// corpus/stats/dataset_card.cc — see dataset_card.h.
#include "corpus/stats/dataset_card.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include "absl/strings/str_cat.h"
#include "corpus/stats/text_escape.h"

namespace rwkvkit::corpus::stats {
namespace {

// License ids the Hub lists (hf.co/docs/hub/repositories-licenses) that corpora commonly use.
constexpr std::string_view kHubLicenses[] = {
    "apache-2.0",   "mit",          "isc",          "bsd-2-clause", "bsd-3-clause", "gpl-2.0",     "gpl-3.0",
    "lgpl-2.1",     "lgpl-3.0",     "agpl-3.0",     "mpl-2.0",      "epl-2.0",      "artistic-2.0", "zlib",
    "unlicense",    "wtfpl",        "cc0-1.0",      "cc-by-2.0",    "cc-by-3.0",    "cc-by-4.0",   "cc-by-sa-3.0",
    "cc-by-sa-4.0", "cc-by-nc-4.0", "cc-by-nd-4.0", "cc-by-nc-sa-4.0", "odc-by",    "odbl",        "pddl",
    "ofl-1.1",      "unknown"};

// Share of the tokens below which a language is left out of `language` (CLD2 gives a few
// stray documents of a large corpus odd languages).
constexpr double kMinLanguageShare = 0.001;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A key with a block sequence; nothing for an empty list (the Hub wants a list or no key).
void AppendList(std::string& y, const char* key, const std::vector<std::string>& items) {
  if (items.empty()) return;
  absl::StrAppend(&y, key, ":\n");
  for (const std::string& item : items) absl::StrAppend(&y, "- ", YamlString(item), "\n");
}

void AddUnique(std::vector<std::string>& v, const std::string& item) {
  if (!item.empty() && std::find(v.begin(), v.end(), item) == v.end()) v.push_back(item);
}

}  // namespace

std::string SizeCategory(uint64_t documents) {
  constexpr const char* kNames[] = {"n<1K",      "1K<n<10K",   "10K<n<100K", "100K<n<1M",
                                    "1M<n<10M",  "10M<n<100M", "100M<n<1B",  "1B<n<10B",
                                    "10B<n<100B", "100B<n<1T"};
  uint64_t bound = 1000;
  for (const char* name : kNames) {
    if (documents < bound) return name;
    bound *= 10;
  }
  return "n>1T";
}

std::string HubLanguage(std::string_view code) {
  if (code.rfind("code:", 0) == 0 || code == "code") return "code";
  const std::string_view base = code.substr(0, code.find('-'));
  if (base.size() < 2 || base.size() > 3 || base == "un" || base == "xx" || base == "und") return "";
  for (const char c : base)
    if (c < 'a' || c > 'z') return "";
  // CLD2 still uses the withdrawn ISO 639-1 codes of Hebrew, Javanese, Indonesian and Yiddish.
  constexpr std::pair<std::string_view, std::string_view> kWithdrawn[] = {
      {"iw", "he"}, {"jw", "jv"}, {"in", "id"}, {"ji", "yi"}};
  for (const auto& [old_code, now] : kWithdrawn)
    if (base == old_code) return std::string(now);
  return std::string(base);
}

std::string HubLicense(std::string_view license) {
  const std::string l = Lower(license);
  for (const std::string_view id : kHubLicenses)
    if (l == id) return std::string(id);
  return "";
}

std::string DatasetCardFrontMatter(const ReportModel& m) {
  std::vector<std::string> languages, licenses, unmatched;
  for (const LanguageRow& l : m.languages)
    if (Ratio(l.counts.tokens, m.stats->total.tokens) >= kMinLanguageShare) AddUnique(languages, HubLanguage(l.code));
  for (const build::BuildSource& s : m.build->sources) {
    const std::string id = HubLicense(s.license);
    AddUnique(licenses, id.empty() ? "other" : id);
    if (id.empty()) unmatched.push_back(absl::StrCat(s.name, ": ", s.license.empty() ? "(none given)" : s.license));
  }
  const std::string name = m.build->corpus.empty() ? "corpus" : m.build->corpus;
  std::string y = absl::StrCat("---\npretty_name: ", YamlString(DisplayText(name)), "\n");
  AppendList(y, "language", languages);
  AppendList(y, "license", licenses);
  if (!unmatched.empty()) {
    std::string details;
    for (const std::string& u : unmatched) absl::StrAppend(&details, details.empty() ? "" : "; ", u);
    absl::StrAppend(&y, "license_details: ", YamlString(DisplayText(details)), "\n");
  }
  AppendList(y, "multilinguality", {languages.size() > 1 ? "multilingual" : "monolingual"});
  AppendList(y, "size_categories", {SizeCategory(m.stats->total.documents)});
  AppendList(y, "task_categories", {"text-generation"});
  AppendList(y, "task_ids", {"language-modeling"});
  AppendList(y, "tags", {"rwkv", "binidx", "rwkvkit"});
  return y + "---\n\n";
}

}  // namespace rwkvkit::corpus::stats
