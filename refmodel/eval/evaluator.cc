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

// Runs the backend over `pending`, then hands each document to the sink in order.
absl::Status Flush(std::vector<EvalDocument>& pending, const EvalBackend& backend, const DocumentSink& sink,
                   EvalTotals& all) {
  if (pending.empty()) return absl::OkStatus();
  if (absl::Status st = backend(std::span<EvalDocument>(pending)); !st.ok()) return st;
  for (const EvalDocument& d : pending) {
    DocumentResult r;
    r.shard = d.shard;
    r.index_in_shard = d.index_in_shard;
    r.totals.documents = 1;
    r.totals.tokens = d.targets.size();
    r.totals.bytes = d.bytes;
    for (const double x : d.nll) r.totals.nll += x;
    r.nll = d.nll;
    if (absl::Status st = sink(r); !st.ok()) return st;
    all.Add(r.totals);
  }
  pending.clear();
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<EvalTotals> EvaluateWithBackend(const ModelConfig& config, const tokenizer::Tokenizer& tok,
                                               const std::vector<std::filesystem::path>& shards,
                                               const EvalOptions& options, size_t batch, const EvalBackend& backend,
                                               const DocumentSink& sink) {
  EvalTotals all;
  uint64_t read = 0;
  std::vector<EvalDocument> pending;
  std::vector<uint16_t> doc;
  const size_t batch_size = std::max<size_t>(1, batch);
  for (size_t s = 0; s < shards.size(); ++s) {
    const std::vector<uint64_t>* chosen =
        options.documents && s < options.documents->size() ? &(*options.documents)[s] : nullptr;
    if (options.documents && !chosen) continue;
    if (!chosen && options.max_docs > 0 && read >= options.max_docs) break;
    absl::StatusOr<binidx::ShardReader> reader = binidx::ShardReader::Open(shards[s]);
    if (!reader.ok()) return reader.status();
    const uint64_t count = chosen ? chosen->size() : reader->num_documents();
    for (uint64_t k = 0; k < count; ++k) {
      const uint64_t d = chosen ? (*chosen)[k] : k;
      if (!chosen && options.max_docs > 0 && read >= options.max_docs) break;
      if (absl::Status st = reader->ReadDocument(d, doc); !st.ok()) return st;
      if (!doc.empty() && doc.back() == tokenizer::kEndOfText) doc.pop_back();
      if (absl::Status st = CheckIds(doc, config, shards[s], d); !st.ok()) return st;
      EvalDocument& e = pending.emplace_back();
      e.shard = s;
      e.index_in_shard = d;
      e.inputs.assign(1, tokenizer::kEndOfText);
      e.inputs.insert(e.inputs.end(), doc.begin(), doc.end());
      e.targets.assign(doc.begin(), doc.end());
      e.targets.push_back(tokenizer::kEndOfText);
      for (const uint16_t t : doc) e.bytes += tok.TokenLength(t);
      e.nll.assign(e.targets.size(), 0.0);
      ++read;
      if (pending.size() >= batch_size)
        if (absl::Status st = Flush(pending, backend, sink, all); !st.ok()) return st;
    }
  }
  if (absl::Status st = Flush(pending, backend, sink, all); !st.ok()) return st;
  return all;
}

absl::StatusOr<EvalTotals> Evaluate(const CpuModel& model, const ModelConfig& config, const tokenizer::Tokenizer& tok,
                                    const std::vector<std::filesystem::path>& shards, const EvalOptions& options,
                                    const DocumentSink& sink) {
  const size_t window = std::max<size_t>(1, options.window);
  std::vector<float> logits;
  const EvalBackend cpu = [&](std::span<EvalDocument> batch) -> absl::Status {
    for (EvalDocument& e : batch) {
      CpuModel::State state = model.NewState();
      for (size_t w = 0; w < e.inputs.size(); w += window) {
        const size_t n = std::min(window, e.inputs.size() - w);
        model.Forward(std::span<const uint16_t>(e.inputs).subspan(w, n), state, logits);
        TokenNll(logits, static_cast<size_t>(config.vocab_size), std::span<const uint16_t>(e.targets).subspan(w, n),
                 std::span<double>(e.nll).subspan(w, n));
      }
    }
    return absl::OkStatus();
  };
  return EvaluateWithBackend(config, tok, shards, options, 1, cpu, sink);
}

}  // namespace rwkvkit::refmodel
