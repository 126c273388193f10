// tests/refmodel/cuda/eval_driver_main.cc — throughput of the GPU evaluator (the code behind
// `rwkvkit eval --device cuda`) on a random model of a released shape, against the CPU path.
// Used by bench/kernels/run_device.sh (steps throughput, fit, profile, ab); prints one line
// per measurement. Not a test.
//
// The model: random weights for one layer of the requested width, repeated for every layer,
// and a random [4096-token] embedding/head tiled to the full vocab — values do not change the
// speed, and generating 1.6B independent normals would take a minute on one core.
// Usage: refmodel_cuda_eval_driver [--version 6|7] [--layers 24] [--width 2048] [--vocab 65536]
//        [--docs 32] [--ctx 4096] [--window 512] [--cpu-docs 2] [--cpu-len 256]
//        [--dtypes bf16,fp32,fp16] [--model CHECKPOINT] [--data SHARD_PREFIX] [--nll-out FILE]
// --model evaluates a real checkpoint instead of the tiled random model; --data a shard of its own
// instead of random documents; --nll-out writes the first dtype's per-target NLL (JSON lines).
// It also prints the device memory in use after each run (cudaMemGetInfo: weights, state, scratch).
#include <tbb/global_control.h>

#include <cuda_runtime.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>

#include "absl/strings/str_split.h"
#include "corpus/binidx/shard_writer.h"
#include "refmodel/cpu/cpu_forward.h"
#include "refmodel/cuda/cuda_evaluator.h"
#include "refmodel/eval/evaluator.h"
#include "tests/refmodel/cpu/random_model.h"

namespace rr = rwkvkit::refmodel;

namespace {

// RWKV-7 LoRA ranks: the 1.5B release's (RWKV-LM README) at D = 2048, else RWKV-LM train_temp's
// defaults (Dw = Da = 2.5·√D, Dv = 1.7·√D, Dg = 5·√D, each rounded to 32).
rr::V7Ranks RanksFor(int width) {
  if (width == 2048) return {96, 96, 64, 256};
  auto r = [&](double f) { return std::max(32, static_cast<int>(std::lround(f * std::sqrt(width) / 32)) * 32); };
  return {r(2.5), r(2.5), r(1.7), r(5.0)};
}

rr::ModelWeights TiledModel(int version, int layers, int width, int vocab) {
  const int small_v = std::min(vocab, 4096);
  // two layers for v7: layer 0 has no value-residual LoRA, layer 1 is tiled over the rest
  const rr::ModelConfig one =
      version == 7 ? rr::testing::MakeConfigV7(2, width / 64, 64, small_v, RanksFor(width))
                   : rr::testing::MakeConfig(rr::ModelVersion::kV6_0, 1, width / 64, 64, small_v);
  rr::ModelWeights w = rr::testing::RandomModel(one, 42);
  const size_t D = width;
  w.config.n_layer = layers;
  w.config.vocab_size = vocab;
  std::vector<float> emb(static_cast<size_t>(vocab) * D), head(D * vocab);
  for (size_t v = 0; v < static_cast<size_t>(vocab); ++v)
    std::copy_n(w.emb.begin() + (v % small_v) * D, D, emb.begin() + v * D);
  for (size_t i = 0; i < D; ++i)
    for (size_t v = 0; v < static_cast<size_t>(vocab); ++v) head[i * vocab + v] = w.head[i * small_v + v % small_v];
  w.emb = std::move(emb);
  w.head = std::move(head);
  w.layers.resize(layers, w.layers.back());
  if (version == 7) w.config.v7_ranks.resize(layers, w.config.v7_ranks.back());
  return w;
}

std::filesystem::path WriteShard(const std::filesystem::path& prefix, int docs, int len, int vocab, uint64_t seed) {
  absl::StatusOr<rwkvkit::binidx::ShardWriter> sw = rwkvkit::binidx::ShardWriter::Create(prefix);
  if (!sw.ok()) std::abort();
  std::mt19937 rng(seed);
  for (int d = 0; d < docs; ++d) {
    std::vector<uint16_t> ids(len - 1);
    for (uint16_t& x : ids) x = static_cast<uint16_t>(1 + rng() % (vocab - 1));
    ids.push_back(0);
    if (!sw->AddDocument(ids).ok()) std::abort();
  }
  if (!sw->Finish().ok()) std::abort();
  return prefix;
}

}  // namespace

int main(int argc, char** argv) {
  int layers = 24, width = 2048, vocab = 65536, docs = 32, ctx = 4096, window = 512, cpu_docs = 2, cpu_len = 256;
  int version = 6;
  std::string model_path, data_prefix, nll_out;
  std::string dtypes = "bf16,fp32";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--layers") layers = std::atoi(v.c_str());
    else if (k == "--width") width = std::atoi(v.c_str());
    else if (k == "--vocab") vocab = std::atoi(v.c_str());
    else if (k == "--docs") docs = std::atoi(v.c_str());
    else if (k == "--ctx") ctx = std::atoi(v.c_str());
    else if (k == "--window") window = std::atoi(v.c_str());
    else if (k == "--cpu-docs") cpu_docs = std::atoi(v.c_str());
    else if (k == "--cpu-len") cpu_len = std::atoi(v.c_str());
    else if (k == "--dtypes") dtypes = v;
    else if (k == "--version") version = std::atoi(v.c_str());
    else if (k == "--model") model_path = v;
    else if (k == "--data") data_prefix = v;
    else if (k == "--nll-out") nll_out = v;
    else { std::fprintf(stderr, "unknown flag %s\n", k.c_str()); return 2; }
  }
  const auto t0 = std::chrono::steady_clock::now();
  if (version != 6 && version != 7) { std::fprintf(stderr, "--version must be 6 or 7\n"); return 2; }
  rr::ModelWeights w;
  if (!model_path.empty()) {  // a real checkpoint instead of the tiled random model
    absl::StatusOr<rr::ModelWeights> loaded = rr::LoadModel(model_path);
    if (!loaded.ok()) { std::fprintf(stderr, "%s\n", std::string(loaded.status().message()).c_str()); return 1; }
    w = *std::move(loaded);
    vocab = w.config.vocab_size;
    width = w.config.n_embd;
    layers = w.config.n_layer;
    version = w.config.version == rr::ModelVersion::kV7_0 ? 7 : 6;
  } else {
    w = TiledModel(version, layers, width, vocab);
  }
  double params = 2.0 * vocab * width;
  for (const rr::LayerWeights& lw : w.layers)
    for (const std::vector<float>* p : {&lw.att_r, &lw.att_k, &lw.att_v, &lw.att_g, &lw.att_o, &lw.ffn_k, &lw.ffn_r,
                                        &lw.ffn_v, &lw.maa_w1, &lw.maa_w2, &lw.decay_w1, &lw.decay_w2, &lw.w1, &lw.w2,
                                        &lw.a1, &lw.a2, &lw.v1, &lw.v2, &lw.g1, &lw.g2})
      params += static_cast<double>(p->size());
  std::printf("model: v%d L=%d D=%d F=%d V=%d (%.2fB matrix params), built in %.1f s\n", version, layers, width,
              w.config.n_ffn, vocab, params / 1e9,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  absl::StatusOr<rwkvkit::tokenizer::Tokenizer> tok = rwkvkit::tokenizer::Tokenizer::Load(RWKVKIT_INSTALLED_VOCAB);
  if (!tok.ok()) { std::fprintf(stderr, "%s\n", std::string(tok.status().message()).c_str()); return 1; }
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "rwkvkit_eval_driver";
  std::filesystem::create_directories(dir);
  const std::vector<std::filesystem::path> big = {data_prefix.empty() ? WriteShard(dir / "big", docs, ctx, vocab, 1)
                                                                      : std::filesystem::path(data_prefix)};
  const std::vector<std::filesystem::path> small = {WriteShard(dir / "small", cpu_docs, cpu_len, vocab, 2)};
  auto null_sink = [](const rr::DocumentResult&) { return absl::OkStatus(); };
  // --nll-out: per-target NLL of every document of the timed run, one JSON array per line (the
  // first dtype's run), in document order
  std::FILE* nll_file = nll_out.empty() ? nullptr : std::fopen(nll_out.c_str(), "w");
  if (!nll_out.empty() && nll_file == nullptr) { std::fprintf(stderr, "cannot write %s\n", nll_out.c_str()); return 1; }
  auto nll_sink = [&](const rr::DocumentResult& r) {
    std::fputc('[', nll_file);
    for (size_t i = 0; i < r.nll.size(); ++i) std::fprintf(nll_file, i ? ",%.9g" : "%.9g", r.nll[i]);
    std::fputs("]\n", nll_file);
    return absl::OkStatus();
  };

  for (const std::string& name : std::vector<std::string>(absl::StrSplit(dtypes, ','))) {
    const rr::CudaDType dt = name == "bf16" ? rr::CudaDType::kBf16 : name == "fp16" ? rr::CudaDType::kFp16 : rr::CudaDType::kFp32;
    absl::StatusOr<std::unique_ptr<rr::CudaModel>> m = rr::CudaModel::Create(w, dt, 0);
    if (!m.ok()) { std::fprintf(stderr, "%s\n", std::string(m.status().message()).c_str()); return 1; }
    rr::CudaEvalOptions o;
    o.window = window;
    absl::StatusOr<rr::EvalTotals> s = rr::EvaluateCuda(**m, *tok, small, o, null_sink);  // warm-up + NLL check
    if (!s.ok()) { std::fprintf(stderr, "%s\n", std::string(s.status().message()).c_str()); return 1; }
    const auto a = std::chrono::steady_clock::now();
    const rr::DocumentSink sink = nll_file != nullptr ? rr::DocumentSink(nll_sink) : rr::DocumentSink(null_sink);
    absl::StatusOr<rr::EvalTotals> t = rr::EvaluateCuda(**m, *tok, big, o, sink);
    if (nll_file != nullptr) {
      std::fclose(nll_file);
      nll_file = nullptr;
    }
    const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count();
    if (!t.ok()) { std::fprintf(stderr, "%s\n", std::string(t.status().message()).c_str()); return 1; }
    size_t free_b = 0, total_b = 0;
    (void)cudaMemGetInfo(&free_b, &total_b);
    std::printf("cuda %s: %llu docs x %d tokens, window %d: %.3f s, %.0f tokens/s; mean NLL %.6f; small-docs mean NLL %.6f; "
                "device memory in use %.1f GB of %.1f GB\n",
                std::string(name).c_str(), static_cast<unsigned long long>(t->documents), ctx, window, sec,
                t->tokens / sec, t->MeanNll(), s->MeanNll(), (total_b - free_b) / 1e9, total_b / 1e9);
    std::fflush(stdout);
  }
  if (cpu_docs > 0) {
    const rr::CpuModel cpu(w);
    rr::EvalOptions o;
    const auto a = std::chrono::steady_clock::now();
    absl::StatusOr<rr::EvalTotals> t = rr::Evaluate(cpu, w.config, *tok, small, o, null_sink);
    const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count();
    if (!t.ok()) return 1;
    std::printf("cpu fp32: %llu docs x %d tokens: %.3f s, %.1f tokens/s; small-docs mean NLL %.6f\n",
                static_cast<unsigned long long>(t->documents), cpu_len, sec, t->tokens / sec, t->MeanNll());
  }
  std::filesystem::remove_all(dir);
  return 0;
}
