// python/src/eval_binding.cc — rwkvkit.evaluate(): evaluation::RunEvaluation on a Job (job.h),
// the CUDA path through the same plugin loader as the CLI.
#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>
#include <tbb/task_arena.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "evaluation/cuda_plugin_loader.h"
#include "evaluation/eval_run.h"
#include "python/src/bindings.h"
#include "python/src/job.h"
#include "python/src/status_error.h"
#include "tokenizer/tokenizer.h"

namespace nb = nanobind;

namespace rwkvkit::python {
namespace {

nb::dict TotalsDict(const refmodel::EvalTotals& t) {
  auto num = [](double x) { return std::isfinite(x) ? nb::object(nb::float_(x)) : nb::none(); };
  nb::dict d;
  d["documents"] = t.documents;
  d["tokens"] = t.tokens;
  d["bytes"] = t.bytes;
  d["mean_nll"] = num(t.MeanNll());
  d["perplexity"] = num(t.Perplexity());
  d["bits_per_byte"] = num(t.BitsPerByte());
  return d;
}

Job* StartEval(const std::string& model, const std::vector<std::string>& data, const std::string& device,
               const std::string& dtype, int gpu, int batch, size_t window, uint64_t max_docs,
               uint64_t docs_per_source, uint64_t seed, const std::string& vocab, const std::string& plugin,
               int threads) {
  if (device != "cpu" && device != "cuda")
    throw nb::value_error(("device wants 'cpu' or 'cuda' (saw '" + device + "')").c_str());
  if (dtype != "fp32" && dtype != "bf16" && dtype != "fp16")
    throw nb::value_error(("dtype wants 'fp32', 'bf16' or 'fp16' (saw '" + dtype + "')").c_str());
  if (device == "cpu" && dtype != "fp32")
    throw nb::value_error("the CPU reference computes in fp32 (dtype bf16/fp16 needs device='cuda')");
  if (max_docs > 0 && docs_per_source > 0) throw nb::value_error("give max_docs or docs_per_source, not both");
  if (window < 1 || batch < 1 || threads < 0) throw nb::value_error("window and batch must be >= 1, threads >= 0");
  evaluation::EvalRequest r;
  // The CUDA plugin first: a machine without it fails before the model is read.
  if (device == "cuda") r.cuda = ValueOrThrow(evaluation::LoadCudaPlugin(plugin));
  r.model = model;
  r.data = data;
  r.dtype = dtype == "bf16" ? refmodel::CudaDType::kBf16 : dtype == "fp16" ? refmodel::CudaDType::kFp16
                                                                            : refmodel::CudaDType::kFp32;
  r.gpu = gpu;
  r.batch = batch;
  r.window = window;
  r.sample.max_docs = max_docs;
  r.sample.docs_per_source = docs_per_source;
  r.sample.seed = seed;
  return new Job([r, vocab, threads](Job& job) mutable -> absl::StatusOr<Job::MakeResult> {
    absl::StatusOr<tokenizer::Tokenizer> tok = tokenizer::Tokenizer::Load(vocab);
    if (!tok.ok()) return tok.status();
    r.cancel = job.cancel_flag();
    r.progress = [&job](uint64_t tokens, uint64_t docs, uint64_t planned) {
      job.SetProgress(JobProgress{"eval", tokens, planned, "tokens", docs});
    };
    absl::StatusOr<evaluation::EvalReport> report;
    if (threads > 0) {
      tbb::task_arena arena(threads);
      arena.execute([&] { report = evaluation::RunEvaluation(r, *tok); });
    } else {
      report = evaluation::RunEvaluation(r, *tok);
    }
    if (!report.ok()) return report.status();
    return Job::MakeResult([rep = *std::move(report)] {
      nb::dict d;
      d["model"] = rep.model;
      d["version"] = rep.version;
      d["total"] = TotalsDict(rep.total);
      nb::dict sources;
      for (const auto& [name, t] : rep.per_source) sources[nb::str(name.c_str())] = TotalsDict(t);
      d["sources"] = sources;
      if (rep.sampled) {
        nb::dict sample, docs;
        sample["mode"] = rep.per_source_sample ? "per_source" : "proportional";
        sample["seed"] = rep.seed;
        for (const auto& [name, k] : rep.chosen_per_source) docs[nb::str(name.c_str())] = k;
        sample["documents"] = docs;
        d["sample"] = sample;
      }
      d["warnings"] = rep.warnings;
      return nb::object(d);
    });
  });
}

}  // namespace

void BindEval(nb::module_& m) {
  m.def("start_eval", &StartEval, nb::arg("model"), nb::arg("data"), nb::arg("device"), nb::arg("dtype"),
        nb::arg("gpu"), nb::arg("batch"), nb::arg("window"), nb::arg("max_docs"), nb::arg("docs_per_source"),
        nb::arg("seed"), nb::arg("vocab"), nb::arg("plugin"), nb::arg("threads"),
        "Starts evaluation::RunEvaluation on its own thread; rwkvkit.evaluate() drives the returned Job.");
}

}  // namespace rwkvkit::python
