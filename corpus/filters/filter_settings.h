// corpus/filters/filter_settings.h — the manifest's `filters` objects (data_manifests/README.md) onto
// FilterOptions.
//
//   "filters": {"gopher_repetition": bool | {...}, "gopher_quality": bool | {...},
//               "c4": bool | {...}, "fineweb_quality": bool | {...},
//               "languages": {"keep": [code, ...], "drop": [code, ...]},
//               "language_id_prefix": bytes}
// A bool turns a filter on or off; an object turns it on with the thresholds it names (the
// FilterOptions fields, datatrove's parameter names) unless it says "enabled": false. The
// manifest's top-level `filters` applies to every source, then a source's own `filters` on top
// of it (field by field). Code sources (language "code:...") start with all four filters off:
// only their own `filters` can turn one on. Unknown keys and wrong types are errors naming the
// file and the JSON path, e.g. `m.json: sources[1].filters.c4.min_num_sentences: must be an
// integer >= -1 (saw "x")`.
#ifndef RWKVKIT_CORPUS_FILTERS_FILTER_SETTINGS_H_
#define RWKVKIT_CORPUS_FILTERS_FILTER_SETTINGS_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "corpus/filters/document_filters.h"
#include "simdjson.h"

namespace rwkvkit::corpus::filters {

// Applies one `filters` object at JSON path `where` of `file` onto `o`.
absl::Status ApplyFilterSettings(const simdjson::dom::element& e, std::string_view file, std::string_view where,
                                 FilterOptions& o);

// What a code source starts with after the top-level settings: the four quality filters off and
// no language lists (CLD2 calls code "en" or "un", so a top-level keep list would drop all of
// it). Thresholds stay; the source's own `filters` can turn any of it back on.
void ResetForCodeSource(FilterOptions& o);

// The settings as a JSON object for build.json (every field, so a build records what it ran).
std::string FilterSettingsJson(const FilterOptions& o);

}  // namespace rwkvkit::corpus::filters

#endif  // RWKVKIT_CORPUS_FILTERS_FILTER_SETTINGS_H_
