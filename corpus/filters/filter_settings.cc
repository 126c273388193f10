// corpus/filters/filter_settings.cc — see filter_settings.h.
#include "corpus/filters/filter_settings.h"

#include <algorithm>
#include <charconv>
#include <functional>
#include <map>

#include "absl/strings/str_cat.h"
#include "base/json_writer.h"
#include "base/status_macros.h"

namespace rwkvkit::corpus::filters {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

class Ctx {
 public:
  Ctx(std::string_view file, std::string where) : file_(file), where_(std::move(where)) {}
  Ctx At(std::string_view key) const { return Ctx(file_, absl::StrCat(where_, ".", std::string(key))); }
  Ctx Index(size_t i) const { return Ctx(file_, absl::StrCat(where_, "[", i, "]")); }
  absl::Status Error(std::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat(std::string(file_), ": ", where_, ": ", std::string(what)));
  }
  absl::Status Saw(std::string_view must, const element& e) const {
    return Error(absl::StrCat("must be ", std::string(must), " (saw ", simdjson::minify(e), ")"));
  }

 private:
  std::string_view file_;
  std::string where_;
};

absl::Status Bool(const Ctx& c, const element& e, bool& out) {
  if (e.get_bool().get(out) != simdjson::SUCCESS) return c.Saw("true or false", e);
  return absl::OkStatus();
}

absl::Status Number(const Ctx& c, const element& e, double& out) {
  double v = 0;
  if (!(e.is_int64() || e.is_uint64() || e.is_double()) || e.get_double().get(v) != simdjson::SUCCESS || !(v >= 0))
    return c.Saw("a number >= 0", e);
  out = v;
  return absl::OkStatus();
}

absl::Status Size(const Ctx& c, const element& e, size_t& out) {
  uint64_t v = 0;
  if (e.get_uint64().get(v) != simdjson::SUCCESS) return c.Saw("an integer >= 0", e);
  out = static_cast<size_t>(v);
  return absl::OkStatus();
}

// datatrove's "-1 turns the rule off" integers.
absl::Status IntOrOff(const Ctx& c, const element& e, int& out) {
  int64_t v = 0;
  if (e.get_int64().get(v) != simdjson::SUCCESS || v < -1 || v > 1000000000) return c.Saw("an integer >= -1", e);
  out = static_cast<int>(v);
  return absl::OkStatus();
}

absl::Status Strings(const Ctx& c, const element& e, std::vector<std::string>& out, bool allow_empty_list) {
  simdjson::dom::array a;
  if (e.get_array().get(a) != simdjson::SUCCESS || (!allow_empty_list && a.size() == 0))
    return c.Saw(allow_empty_list ? "an array of non-empty strings" : "a non-empty array of non-empty strings", e);
  out.clear();
  size_t i = 0;
  for (const element s : a) {
    std::string_view v;
    if (s.get_string().get(v) != simdjson::SUCCESS || v.empty())
      return c.Index(i).Saw("a non-empty string", s);
    if (std::find(out.begin(), out.end(), v) == out.end()) out.emplace_back(v);  // a set, as datatrove's
    ++i;
  }
  return absl::OkStatus();
}

// [[n, fraction], ...] with 1 <= n <= 10.
absl::Status NGrams(const Ctx& c, const element& e, std::vector<std::pair<int, double>>& out) {
  simdjson::dom::array a;
  if (e.get_array().get(a) != simdjson::SUCCESS) return c.Saw("an array of [n, fraction] pairs", e);
  out.clear();
  size_t i = 0;
  for (const element p : a) {
    const Ctx pc = c.Index(i++);
    simdjson::dom::array pair;
    uint64_t n = 0;
    double frac = 0;
    if (p.get_array().get(pair) != simdjson::SUCCESS || pair.size() != 2 || pair.at(0).get_uint64().get(n) ||
        n < 1 || n > 10 || Number(pc, pair.at(1), frac) != absl::OkStatus())
      return pc.Saw("a pair [n, fraction] with n in 1..10 and fraction >= 0", p);
    out.emplace_back(static_cast<int>(n), frac);
  }
  return absl::OkStatus();
}

using FieldFn = std::function<absl::Status(const Ctx&, const element&)>;

// One filter's setting: a bool, or an object of `fields` (plus "enabled").
absl::Status Filter(const Ctx& c, const element& e, bool& enabled, const std::map<std::string_view, FieldFn>& fields) {
  if (e.is_bool()) return Bool(c, e, enabled);
  object o;
  if (e.get_object().get(o) != simdjson::SUCCESS) return c.Saw("true, false or an object", e);
  enabled = true;
  for (const auto kv : o) {
    const Ctx fc = c.At(kv.key);
    if (kv.key == "enabled") {
      RWKVKIT_RETURN_IF_ERROR(Bool(fc, kv.value, enabled));
      continue;
    }
    const auto it = fields.find(kv.key);
    if (it == fields.end()) return c.Error(absl::StrCat("unknown key \"", std::string(kv.key), "\""));
    RWKVKIT_RETURN_IF_ERROR(it->second(fc, kv.value));
  }
  return absl::OkStatus();
}

FieldFn NumberField(double& v) {
  return [&v](const Ctx& c, const element& e) { return Number(c, e, v); };
}
FieldFn SizeField(size_t& v) {
  return [&v](const Ctx& c, const element& e) { return Size(c, e, v); };
}
FieldFn BoolField(bool& v) {
  return [&v](const Ctx& c, const element& e) { return Bool(c, e, v); };
}
FieldFn IntOrOffField(int& v) {
  return [&v](const Ctx& c, const element& e) { return IntOrOff(c, e, v); };
}

void NGrams(base::JsonWriter& w, const std::vector<std::pair<int, double>>& v) {
  w.BeginArray();
  for (const auto& [n, frac] : v) w.BeginArray().Int(n).Double(frac).EndArray();
  w.EndArray();
}

void Strings(base::JsonWriter& w, const std::vector<std::string>& v) {
  w.BeginArray();
  for (const std::string& s : v) w.String(s);
  w.EndArray();
}

}  // namespace

void ResetForCodeSource(FilterOptions& o) {
  o.gopher_repetition = o.gopher_quality = o.c4 = o.fineweb_quality = false;
  o.keep_languages.clear();
  o.drop_languages.clear();
}

absl::Status ApplyFilterSettings(const element& e, std::string_view file, std::string_view where,
                                 FilterOptions& o) {
  const Ctx c(file, std::string(where));
  object obj;
  if (e.get_object().get(obj) != simdjson::SUCCESS) return c.Saw("an object", e);
  auto& gr = o.gopher_repetition_options;
  auto& gq = o.gopher_quality_options;
  auto& c4 = o.c4_options;
  auto& fw = o.fineweb_quality_options;
  for (const auto kv : obj) {
    const Ctx fc = c.At(kv.key);
    if (kv.key == "gopher_repetition") {
      RWKVKIT_RETURN_IF_ERROR(Filter(
          fc, kv.value, o.gopher_repetition,
          {{"dup_line_frac", NumberField(gr.dup_line_frac)},
           {"dup_para_frac", NumberField(gr.dup_para_frac)},
           {"dup_line_char_frac", NumberField(gr.dup_line_char_frac)},
           {"dup_para_char_frac", NumberField(gr.dup_para_char_frac)},
           {"top_n_grams", [&gr](const Ctx& c2, const element& v) { return NGrams(c2, v, gr.top_n_grams); }},
           {"dup_n_grams", [&gr](const Ctx& c2, const element& v) { return NGrams(c2, v, gr.dup_n_grams); }}}));
    } else if (kv.key == "gopher_quality") {
      RWKVKIT_RETURN_IF_ERROR(Filter(
          fc, kv.value, o.gopher_quality,
          {{"min_doc_words", SizeField(gq.min_doc_words)},
           {"max_doc_words", SizeField(gq.max_doc_words)},
           {"min_avg_word_length", NumberField(gq.min_avg_word_length)},
           {"max_avg_word_length", NumberField(gq.max_avg_word_length)},
           {"max_symbol_word_ratio", NumberField(gq.max_symbol_word_ratio)},
           {"max_bullet_lines_ratio", NumberField(gq.max_bullet_lines_ratio)},
           {"max_ellipsis_lines_ratio", NumberField(gq.max_ellipsis_lines_ratio)},
           {"max_non_alpha_words_ratio", NumberField(gq.max_non_alpha_words_ratio)},
           {"min_stop_words", SizeField(gq.min_stop_words)},
           {"stop_words", [&gq](const Ctx& c2, const element& v) { return Strings(c2, v, gq.stop_words, false); }}}));
    } else if (kv.key == "c4") {
      RWKVKIT_RETURN_IF_ERROR(Filter(fc, kv.value, o.c4,
                                     {{"remove_citations", BoolField(c4.remove_citations)},
                                      {"filter_no_terminal_punct", BoolField(c4.filter_no_terminal_punct)},
                                      {"min_num_sentences", IntOrOffField(c4.min_num_sentences)},
                                      {"min_words_per_line", IntOrOffField(c4.min_words_per_line)},
                                      {"max_word_length", IntOrOffField(c4.max_word_length)},
                                      {"filter_lorem_ipsum", BoolField(c4.filter_lorem_ipsum)},
                                      {"filter_javascript", BoolField(c4.filter_javascript)},
                                      {"filter_curly_bracket", BoolField(c4.filter_curly_bracket)},
                                      {"filter_policy", BoolField(c4.filter_policy)}}));
    } else if (kv.key == "fineweb_quality") {
      RWKVKIT_RETURN_IF_ERROR(Filter(fc, kv.value, o.fineweb_quality,
                                     {{"line_punct_thr", NumberField(fw.line_punct_thr)},
                                      {"line_punct_exclude_zero", BoolField(fw.line_punct_exclude_zero)},
                                      {"short_line_thr", NumberField(fw.short_line_thr)},
                                      {"short_line_length", SizeField(fw.short_line_length)},
                                      {"char_duplicates_ratio", NumberField(fw.char_duplicates_ratio)},
                                      {"new_line_ratio", NumberField(fw.new_line_ratio)}}));
    } else if (kv.key == "language_id_prefix") {
      RWKVKIT_RETURN_IF_ERROR(Size(fc, kv.value, o.language_id_prefix));
    } else if (kv.key == "languages") {
      object langs;
      if (kv.value.get_object().get(langs) != simdjson::SUCCESS)
        return fc.Saw("an object {\"keep\": [...], \"drop\": [...]}", kv.value);
      for (const auto l : langs) {
        if (l.key == "keep") RWKVKIT_RETURN_IF_ERROR(Strings(fc.At("keep"), l.value, o.keep_languages, true));
        else if (l.key == "drop") RWKVKIT_RETURN_IF_ERROR(Strings(fc.At("drop"), l.value, o.drop_languages, true));
        else return fc.Error(absl::StrCat("unknown key \"", std::string(l.key), "\""));
      }
    } else {
      return c.Error(absl::StrCat("unknown key \"", std::string(kv.key), "\""));
    }
  }
  return absl::OkStatus();
}

std::string FilterSettingsJson(const FilterOptions& o) {
  const auto& gr = o.gopher_repetition_options;
  const auto& gq = o.gopher_quality_options;
  const auto& c4 = o.c4_options;
  const auto& fw = o.fineweb_quality_options;
  base::JsonWriter w;
  w.BeginObject().Key("gopher_repetition");
  if (o.gopher_repetition) {
    w.BeginObject().Key("dup_line_frac").Double(gr.dup_line_frac).Key("dup_para_frac").Double(gr.dup_para_frac);
    w.Key("dup_line_char_frac").Double(gr.dup_line_char_frac).Key("dup_para_char_frac").Double(gr.dup_para_char_frac);
    NGrams(w.Key("top_n_grams"), gr.top_n_grams);
    NGrams(w.Key("dup_n_grams"), gr.dup_n_grams);
    w.EndObject();
  } else {
    w.Bool(false);
  }
  w.Key("gopher_quality");
  if (o.gopher_quality) {
    w.BeginObject().Key("min_doc_words").Uint(gq.min_doc_words).Key("max_doc_words").Uint(gq.max_doc_words);
    w.Key("min_avg_word_length").Double(gq.min_avg_word_length);
    w.Key("max_avg_word_length").Double(gq.max_avg_word_length);
    w.Key("max_symbol_word_ratio").Double(gq.max_symbol_word_ratio);
    w.Key("max_bullet_lines_ratio").Double(gq.max_bullet_lines_ratio);
    w.Key("max_ellipsis_lines_ratio").Double(gq.max_ellipsis_lines_ratio);
    w.Key("max_non_alpha_words_ratio").Double(gq.max_non_alpha_words_ratio);
    w.Key("min_stop_words").Uint(gq.min_stop_words);
    Strings(w.Key("stop_words"), gq.stop_words);
    w.EndObject();
  } else {
    w.Bool(false);
  }
  w.Key("c4");
  if (o.c4) {
    w.BeginObject().Key("remove_citations").Bool(c4.remove_citations);
    w.Key("filter_no_terminal_punct").Bool(c4.filter_no_terminal_punct);
    w.Key("min_num_sentences").Int(c4.min_num_sentences).Key("min_words_per_line").Int(c4.min_words_per_line);
    w.Key("max_word_length").Int(c4.max_word_length).Key("filter_lorem_ipsum").Bool(c4.filter_lorem_ipsum);
    w.Key("filter_javascript").Bool(c4.filter_javascript).Key("filter_curly_bracket").Bool(c4.filter_curly_bracket);
    w.Key("filter_policy").Bool(c4.filter_policy).EndObject();
  } else {
    w.Bool(false);
  }
  w.Key("fineweb_quality");
  if (o.fineweb_quality) {
    w.BeginObject().Key("line_punct_thr").Double(fw.line_punct_thr);
    w.Key("line_punct_exclude_zero").Bool(fw.line_punct_exclude_zero).Key("short_line_thr").Double(fw.short_line_thr);
    w.Key("short_line_length").Uint(fw.short_line_length).Key("char_duplicates_ratio").Double(fw.char_duplicates_ratio);
    w.Key("new_line_ratio").Double(fw.new_line_ratio).EndObject();
  } else {
    w.Bool(false);
  }
  w.Key("languages").BeginObject();
  Strings(w.Key("keep"), o.keep_languages);
  Strings(w.Key("drop"), o.drop_languages);
  w.EndObject().Key("language_id_prefix").Uint(o.language_id_prefix);
  return w.EndObject().Take();
}

}  // namespace rwkvkit::corpus::filters
