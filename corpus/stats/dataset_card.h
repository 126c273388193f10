// corpus/stats/dataset_card.h — Hugging Face dataset-card YAML front matter for report.md.
//
// The metadata block the Hub reads at the top of a dataset's README.md: pretty_name (the
// corpus name), language (ISO 639 codes of the languages holding at least 0.1% of the tokens,
// "code" for code sources), license (the sources' licenses that are Hub license ids; any other
// becomes "other" with the originals in license_details), multilinguality, size_categories
// (from the documents in the shards), task_categories text-generation, task_ids
// language-modeling, and tags. Every string is a YAML double-quoted scalar, so any corpus,
// source or license name parses back exactly. Pure.
#ifndef RWKVKIT_CORPUS_STATS_DATASET_CARD_H_
#define RWKVKIT_CORPUS_STATS_DATASET_CARD_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "corpus/stats/report_model.h"

namespace rwkvkit::corpus::stats {

// "---\n...\n---\n" followed by a blank line.
std::string DatasetCardFrontMatter(const ReportModel& m);

// The Hub's size category for `documents` examples: "n<1K", "1K<n<10K", ..., "n>1T".
std::string SizeCategory(uint64_t documents);

// The ISO 639 code of a report language ("en", "zh" for "zh-Hant", "he" for CLD2's "iw",
// "code" for "code:python"), or "" for one that has none ("un", "(undeclared)", CLD2's "xx-..."
// scripts).
std::string HubLanguage(std::string_view code);

// The Hub license id a manifest license names (case-insensitive), or "" when it is none.
std::string HubLicense(std::string_view license);

}  // namespace rwkvkit::corpus::stats

#endif  // RWKVKIT_CORPUS_STATS_DATASET_CARD_H_
