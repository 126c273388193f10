// refmodel/eval/evaluator.cc — see evaluator.h.
#include "refmodel/eval/evaluator.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "corpus/binidx/shard_reader.h"

namespace rwkvkit::refmodel {
namespace {

absl::Status CheckIds(std::span<const uint16_t> ids, const ModelConfig& config, const std::filesystem::path& shard,
                      uint64_t doc) {
  for (size_t i = 0; i < ids.size(); ++i)
    if (ids[i] >= config.vocab_size)
      return absl::OutOfRangeError(absl::StrCat(shard.string(), ": document ", doc, ", position ", i, ": token ",
                                                ids[i], " is outside the model's vocab of ", config.vocab_size));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<EvalTotals> Evaluate(const CpuModel& model, const ModelConfig& config, const tokenizer::Tokenizer& tok,
                                    const std::vector<std::filesystem::path>& shards, const EvalOptions& options,
                                    const DocumentSink& sink) {
  EvalTotals all;
  std::vector<uint16_t> doc, inputs, targets;
  std::vector<float> logits;
  std::vector<double> nll;
  const size_t window = std::max<size_t>(1, options.window);
  for (size_t s = 0; s < shards.size(); ++s) {
    absl::StatusOr<binidx::ShardReader> reader = binidx::ShardReader::Open(shards[s]);
    if (!reader.ok()) return reader.status();
    const std::vector<uint64_t>* chosen = options.documents && s < options.documents->size() ? &(*options.documents)[s] : nullptr;
    if (options.documents && !chosen) continue;
    const uint64_t count = chosen ? chosen->size() : reader->num_documents();
    for (uint64_t k = 0; k < count; ++k) {
      const uint64_t d = chosen ? (*chosen)[k] : k;
      if (!chosen && options.max_docs > 0 && all.documents >= options.max_docs) return all;
      if (absl::Status st = reader->ReadDocument(d, doc); !st.ok()) return st;
      if (!doc.empty() && doc.back() == tokenizer::kEndOfText) doc.pop_back();
      if (absl::Status st = CheckIds(doc, config, shards[s], d); !st.ok()) return st;
      // inputs [0, t1..tn], targets [t1..tn, 0]
      inputs.assign(1, tokenizer::kEndOfText);
      inputs.insert(inputs.end(), doc.begin(), doc.end());
      targets.assign(doc.begin(), doc.end());
      targets.push_back(tokenizer::kEndOfText);
      nll.assign(targets.size(), 0.0);
      CpuModel::State state = model.NewState();
      for (size_t w = 0; w < inputs.size(); w += window) {
        const size_t n = std::min(window, inputs.size() - w);
        model.Forward(std::span<const uint16_t>(inputs).subspan(w, n), state, logits);
        TokenNll(logits, static_cast<size_t>(config.vocab_size), std::span<const uint16_t>(targets).subspan(w, n),
                 std::span<double>(nll).subspan(w, n));
      }
      DocumentResult r;
      r.shard = s;
      r.index_in_shard = d;
      r.totals.documents = 1;
      r.totals.tokens = targets.size();
      for (const uint16_t t : doc) r.totals.bytes += tok.TokenLength(t);
      for (const double x : nll) r.totals.nll += x;
      r.nll = nll;
      if (absl::Status st = sink(r); !st.ok()) return st;
      all.Add(r.totals);
    }
  }
  return all;
}

}  // namespace rwkvkit::refmodel
