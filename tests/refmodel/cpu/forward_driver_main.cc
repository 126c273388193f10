// tests/refmodel/cpu/forward_driver_main.cc — builds a random RWKV-5.2 / 6 / 7 model from a
// seed, runs CpuModel in sequence mode and in RNN mode, and dumps everything an independent
// reference needs (tests/refmodel/cpu/numpy_reference.py):
//   OUT/model.json     config, tokens, targets, tensor table {name, shape, offset (floats)}
//   OUT/weights.bin    every ModelWeights array, fp32 little-endian, in table order
//   OUT/logits_seq.bin, OUT/logits_rnn.bin  [T, V] fp32 from Forward and ForwardOne
//   OUT/nll_seq.bin, OUT/nll_rnn.bin  [T] fp64 (TokenNll; targets = tokens[1..T-1], then 0)
// With --time it dumps nothing and prints one JSON line of speeds instead (tokens/s of a
// Forward over --tokens tokens and of --rnn-tokens ForwardOne calls).
//
// Usage: refmodel_cpu_forward_driver --version 5.2|6.0|7.0 --layers L --heads H --head-size N
//          --vocab V [--ffn F] [--dm Dm] [--dd Dd] [--ranks Dw,Da,Dv,Dg (7.0)] --tokens T
//          [--seed S] [--threads K] (--out DIR | --time [--rnn-tokens R])
#include <tbb/global_control.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "refmodel/cpu/cpu_forward.h"
#include "tests/refmodel/cpu/random_model.h"

namespace {

using rwkvkit::refmodel::CpuModel;
using rwkvkit::refmodel::LayerWeights;
using rwkvkit::refmodel::ModelConfig;
using rwkvkit::refmodel::ModelVersion;
using rwkvkit::refmodel::ModelWeights;

struct Tensor {
  std::string name;
  std::vector<size_t> shape;
  const std::vector<float>* data;
};

std::vector<Tensor> TensorTable(const ModelWeights& w) {
  const ModelConfig& c = w.config;
  const size_t D = c.n_embd, A = c.n_att, H = c.n_head, N = c.head_size, F = c.n_ffn,
               V = c.vocab_size, Dm = c.time_mix_lora, Dd = c.time_decay_lora;
  std::vector<Tensor> t = {{"emb", {V, D}, &w.emb},
                           {"ln_out_w", {D}, &w.ln_out_w},
                           {"ln_out_b", {D}, &w.ln_out_b},
                           {"head", {D, V}, &w.head}};
  for (int l = 0; l < c.n_layer; ++l) {
    const LayerWeights& lw = w.layers[l];
    const std::string p = "layers." + std::to_string(l) + ".";
    auto add = [&](const char* name, std::vector<size_t> shape, const std::vector<float>& v) {
      t.push_back({p + name, std::move(shape), &v});
    };
    if (c.version == ModelVersion::kV7_0) {
      const rwkvkit::refmodel::V7Ranks& r = c.v7_ranks[l];
      const size_t Dw = r.decay, Da = r.a, Dv = r.value, Dg = r.gate;
      for (auto [name, v] : {std::pair<const char*, const std::vector<float>*>{"ln1_w", &lw.ln1_w}, {"ln1_b", &lw.ln1_b},
                             {"ln2_w", &lw.ln2_w}, {"ln2_b", &lw.ln2_b}, {"x_r", &lw.x_r}, {"x_w", &lw.x_w},
                             {"x_k", &lw.x_k}, {"x_v", &lw.x_v}, {"x_a", &lw.x_a}, {"x_g", &lw.x_g},
                             {"w0", &lw.w0}, {"a0", &lw.a0}, {"k_k", &lw.k_k}, {"k_a", &lw.k_a},
                             {"r_k", &lw.r_k}, {"ln_x_w", &lw.ln_x_w}, {"ln_x_b", &lw.ln_x_b},
                             {"ffn_mix_k", &lw.ffn_mix_k}})
        add(name, {D}, *v);
      add("w1", {D, Dw}, lw.w1);
      add("w2", {Dw, D}, lw.w2);
      add("a1", {D, Da}, lw.a1);
      add("a2", {Da, D}, lw.a2);
      if (l > 0) {
        add("v0", {D}, lw.v0);
        add("v1", {D, Dv}, lw.v1);
        add("v2", {Dv, D}, lw.v2);
      }
      add("g1", {D, Dg}, lw.g1);
      add("g2", {Dg, D}, lw.g2);
      add("att_r", {D, D}, lw.att_r);
      add("att_k", {D, D}, lw.att_k);
      add("att_v", {D, D}, lw.att_v);
      add("att_o", {D, D}, lw.att_o);
      add("ffn_k", {D, F}, lw.ffn_k);
      add("ffn_v", {F, D}, lw.ffn_v);
      continue;
    }
    add("ln1_w", {D}, lw.ln1_w);
    add("ln1_b", {D}, lw.ln1_b);
    add("ln2_w", {D}, lw.ln2_w);
    add("ln2_b", {D}, lw.ln2_b);
    add("att_r", {D, A}, lw.att_r);
    add("att_k", {D, A}, lw.att_k);
    add("att_v", {D, A}, lw.att_v);
    add("att_g", {D, A}, lw.att_g);
    add("att_o", {A, D}, lw.att_o);
    add("ln_x_w", {A}, lw.ln_x_w);
    add("ln_x_b", {A}, lw.ln_x_b);
    add("time_first", {H, N}, lw.time_first);
    add("time_decay", {H, N}, lw.time_decay);
    if (c.version == ModelVersion::kV5_2) {
      add("time_mix_k", {D}, lw.time_mix_k);
      add("time_mix_v", {D}, lw.time_mix_v);
      add("time_mix_r", {D}, lw.time_mix_r);
      add("time_mix_g", {D}, lw.time_mix_g);
    } else {
      add("maa_x", {D}, lw.maa_x);
      add("maa_w", {D}, lw.maa_w);
      add("maa_k", {D}, lw.maa_k);
      add("maa_v", {D}, lw.maa_v);
      add("maa_r", {D}, lw.maa_r);
      add("maa_g", {D}, lw.maa_g);
      add("maa_w1", {D, 5 * Dm}, lw.maa_w1);
      add("maa_w2", {5, Dm, D}, lw.maa_w2);
      add("decay_w1", {D, Dd}, lw.decay_w1);
      add("decay_w2", {Dd, A}, lw.decay_w2);
    }
    add("ffn_mix_k", {D}, lw.ffn_mix_k);
    add("ffn_mix_r", {D}, lw.ffn_mix_r);
    add("ffn_k", {D, F}, lw.ffn_k);
    add("ffn_r", {D, D}, lw.ffn_r);
    add("ffn_v", {F, D}, lw.ffn_v);
  }
  return t;
}

template <typename T>
bool WriteBlob(const std::filesystem::path& path, const T* data, size_t n) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(n * sizeof(T)));
  return static_cast<bool>(f);
}

std::string JsonInts(const std::vector<uint16_t>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s + "]";
}

int Usage(const char* why) {
  std::fprintf(stderr, "refmodel_cpu_forward_driver: %s\n", why);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string version = "6.0", out;
  int layers = 1, heads = 1, head_size = 16, vocab = 64, ffn = 0, dm = 32, dd = 64, T = 8;
  int threads = 0, rnn_tokens = 16;
  unsigned long long seed = 1;
  rwkvkit::refmodel::V7Ranks ranks{8, 8, 8, 8};
  bool time = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = nullptr;
    if (a == "--time") { time = true; continue; }
    if (!(v = next())) return Usage(("missing value for " + a).c_str());
    if (a == "--version") version = v;
    else if (a == "--layers") layers = std::atoi(v);
    else if (a == "--heads") heads = std::atoi(v);
    else if (a == "--head-size") head_size = std::atoi(v);
    else if (a == "--vocab") vocab = std::atoi(v);
    else if (a == "--ffn") ffn = std::atoi(v);
    else if (a == "--dm") dm = std::atoi(v);
    else if (a == "--dd") dd = std::atoi(v);
    else if (a == "--ranks") {
      if (std::sscanf(v, "%d,%d,%d,%d", &ranks.decay, &ranks.a, &ranks.value, &ranks.gate) != 4)
        return Usage("--ranks wants Dw,Da,Dv,Dg");
    }
    else if (a == "--tokens") T = std::atoi(v);
    else if (a == "--seed") seed = std::strtoull(v, nullptr, 10);
    else if (a == "--threads") threads = std::atoi(v);
    else if (a == "--rnn-tokens") rnn_tokens = std::atoi(v);
    else if (a == "--out") out = v;
    else return Usage(("unknown flag " + a).c_str());
  }
  if (version != "5.2" && version != "6.0" && version != "7.0") return Usage("--version must be 5.2, 6.0 or 7.0");
  if (layers < 1 || heads < 1 || head_size < 1 || vocab < 1 || vocab > 65536 || T < 1)
    return Usage("sizes must be positive (vocab <= 65536)");
  if (!time && out.empty()) return Usage("need --out DIR or --time");
  std::unique_ptr<tbb::global_control> limit;
  if (threads > 0)
    limit = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism, threads);

  const ModelVersion ver = version == "5.2" ? ModelVersion::kV5_2 : version == "6.0" ? ModelVersion::kV6_0 : ModelVersion::kV7_0;
  const ModelConfig config =
      ver == ModelVersion::kV7_0
          ? rwkvkit::refmodel::testing::MakeConfigV7(layers, heads, head_size, vocab, ranks)
          : rwkvkit::refmodel::testing::MakeConfig(ver, layers, heads, head_size, vocab, ffn, dm, dd);
  const ModelWeights w = rwkvkit::refmodel::testing::RandomModel(config, seed);
  const CpuModel model(w);
  const std::vector<uint16_t> tokens = rwkvkit::refmodel::testing::RandomTokens(T, vocab, seed);
  const size_t V = vocab;

  if (time) {
    using Clock = std::chrono::steady_clock;
    CpuModel::State st = model.NewState();
    std::vector<float> logits;
    model.Forward(std::span<const uint16_t>(tokens.data(), std::min<size_t>(T, 4)), st, logits);  // warm-up
    st = model.NewState();
    auto t0 = Clock::now();
    model.Forward(tokens, st, logits);
    const double seq_s = std::chrono::duration<double>(Clock::now() - t0).count();
    std::vector<float> one(V);
    st = model.NewState();
    t0 = Clock::now();
    for (int i = 0; i < rnn_tokens; ++i) model.ForwardOne(tokens[i % T], st, one);
    const double rnn_s = std::chrono::duration<double>(Clock::now() - t0).count();
    std::printf("{\"version\":\"%s\",\"L\":%d,\"D\":%d,\"F\":%d,\"V\":%d,\"threads\":%d,"
                "\"seq_tokens\":%d,\"seq_tok_per_s\":%.1f,\"rnn_tokens\":%d,\"rnn_tok_per_s\":%.1f}\n",
                version.c_str(), layers, config.n_embd, config.n_ffn, vocab, threads, T, T / seq_s,
                rnn_tokens, rnn_tokens / rnn_s);
    return 0;
  }

  std::vector<uint16_t> targets(tokens.begin() + 1, tokens.end());
  targets.push_back(0);
  CpuModel::State seq_state = model.NewState(), rnn_state = model.NewState();
  std::vector<float> logits_seq, logits_rnn(T * V);
  model.Forward(tokens, seq_state, logits_seq);
  for (int t = 0; t < T; ++t)
    model.ForwardOne(tokens[t], rnn_state, std::span<float>(logits_rnn.data() + t * V, V));
  std::vector<double> nll_seq(T), nll_rnn(T);
  rwkvkit::refmodel::TokenNll(logits_seq, V, targets, nll_seq);
  rwkvkit::refmodel::TokenNll(logits_rnn, V, targets, nll_rnn);

  const std::filesystem::path dir(out);
  std::filesystem::create_directories(dir);
  std::string json = "{\"version\":\"" + version + "\"";
  for (auto [k, v] : {std::pair{"n_layer", config.n_layer}, {"n_embd", config.n_embd},
                      {"n_att", config.n_att}, {"n_head", config.n_head},
                      {"head_size", config.head_size}, {"n_ffn", config.n_ffn},
                      {"vocab_size", config.vocab_size}, {"time_mix_lora", config.time_mix_lora},
                      {"time_decay_lora", config.time_decay_lora}}) {
    json += std::string(",\"") + k + "\":" + std::to_string(v);
  }
  json += ",\"tokens\":" + JsonInts(tokens) + ",\"targets\":" + JsonInts(targets) + ",\"tensors\":[";
  std::ofstream bin(dir / "weights.bin", std::ios::binary);
  size_t offset = 0;
  const std::vector<Tensor> table = TensorTable(w);
  for (size_t i = 0; i < table.size(); ++i) {
    const Tensor& t = table[i];
    json += std::string(i ? "," : "") + "{\"name\":\"" + t.name + "\",\"offset\":" +
            std::to_string(offset) + ",\"shape\":[";
    size_t n = 1;
    for (size_t j = 0; j < t.shape.size(); ++j) {
      json += (j ? "," : "") + std::to_string(t.shape[j]);
      n *= t.shape[j];
    }
    json += "]}";
    if (n != t.data->size()) return Usage(("tensor size mismatch: " + t.name).c_str());
    bin.write(reinterpret_cast<const char*>(t.data->data()), static_cast<std::streamsize>(n * 4));
    offset += n;
  }
  json += "]}\n";
  bin.close();
  std::ofstream(dir / "model.json") << json;
  if (!bin || !WriteBlob(dir / "logits_seq.bin", logits_seq.data(), logits_seq.size()) ||
      !WriteBlob(dir / "logits_rnn.bin", logits_rnn.data(), logits_rnn.size()) ||
      !WriteBlob(dir / "nll_seq.bin", nll_seq.data(), nll_seq.size()) ||
      !WriteBlob(dir / "nll_rnn.bin", nll_rnn.data(), nll_rnn.size())) {
    std::fprintf(stderr, "refmodel_cpu_forward_driver: cannot write %s\n", out.c_str());
    return 1;
  }
  return 0;
}
