// bench/checkpoint_load_bench.cc — how long a checkpoint takes to load, by stage: ReadCheckpoint
// (mmap, ZIP directory, pickle), BuildModel (shape checks, conversion to fp32, transposes,
// LayerNorm0) and, in a CUDA build with a device, CudaModel::Create (conversion to the dtype and
// upload). Each repeat starts from the file again (page cache warm after the first); prints one
// line per repeat and (first repeat) a fingerprint of the fp32 weights (FNV-1a over every array), which must
// be the same for every thread count and every version of the loader.
//
//   checkpoint_load_bench MODEL.pth [--repeat 3] [--threads N] [--dtype bf16|fp16|fp32|none]
//
// A checkpoint of a released shape without PyTorch: bench/make_checkpoint.py.
#include <sys/resource.h>
#include <tbb/global_control.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "refmodel/checkpoint/checkpoint_reader.h"
#include "refmodel/model_weights.h"
#ifdef RWKVKIT_LOAD_BENCH_CUDA
#include "refmodel/cuda/cuda_model.h"
#endif

namespace rr = rwkvkit::refmodel;

namespace {

double Since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// FNV-1a over 32-bit words (the bit patterns of the floats), then the length.
uint64_t Fnv(uint64_t h, const std::vector<float>& v) {
  const auto* p = reinterpret_cast<const uint32_t*>(v.data());
  for (size_t i = 0; i < v.size(); ++i) h = (h ^ p[i]) * 1099511628211ull;
  return (h ^ v.size()) * 1099511628211ull;
}

// CPU seconds (user + system) of the whole process so far: on a loaded machine the wall time
// includes waiting for a core, this does not.
double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + 1e-6 * (u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

uint64_t Fingerprint(const rr::ModelWeights& w) {
  uint64_t h = 1469598103934665603ull;
  for (const auto* v : {&w.emb, &w.ln_out_w, &w.ln_out_b, &w.head}) h = Fnv(h, *v);
  for (const rr::LayerWeights& l : w.layers)
    for (const auto* v : {&l.ln1_w, &l.ln1_b, &l.ln2_w, &l.ln2_b, &l.att_r, &l.att_k, &l.att_v, &l.att_g, &l.att_o,
                          &l.ln_x_w, &l.ln_x_b, &l.time_first, &l.time_decay, &l.time_mix_k, &l.time_mix_v,
                          &l.time_mix_r, &l.time_mix_g, &l.maa_x, &l.maa_w, &l.maa_k, &l.maa_v, &l.maa_r, &l.maa_g,
                          &l.maa_w1, &l.maa_w2, &l.decay_w1, &l.decay_w2, &l.ffn_mix_k, &l.ffn_mix_r, &l.ffn_k,
                          &l.ffn_r, &l.ffn_v, &l.x_r, &l.x_w, &l.x_k, &l.x_v, &l.x_a, &l.x_g, &l.w0, &l.a0, &l.v0,
                          &l.w1, &l.a1, &l.v1, &l.g1, &l.w2, &l.a2, &l.v2, &l.g2, &l.k_k, &l.k_a, &l.r_k})
      h = Fnv(h, *v);
  return h;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: checkpoint_load_bench MODEL [--repeat N] [--threads N] [--dtype bf16|fp16|fp32|none]\n");
    return 2;
  }
  const std::string path = argv[1];
  int repeat = 3, threads = static_cast<int>(std::thread::hardware_concurrency());
  std::string dtype = "bf16";
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--repeat") repeat = std::atoi(v.c_str());
    else if (k == "--threads") threads = std::atoi(v.c_str());
    else if (k == "--dtype") dtype = v;
    else { std::fprintf(stderr, "unknown flag %s\n", k.c_str()); return 2; }
  }
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, std::max(1, threads));
  std::printf("checkpoint %s, %d threads\n", path.c_str(), threads);
  for (int r = 0; r < repeat; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    const double cpu0 = CpuSeconds();
    absl::StatusOr<rr::TensorSet> set = rr::ReadCheckpoint(path);
    if (!set.ok()) { std::fprintf(stderr, "%s\n", std::string(set.status().message()).c_str()); return 1; }
    const double read_s = Since(t0);
    const auto t1 = std::chrono::steady_clock::now();
    absl::StatusOr<rr::ModelWeights> w = rr::BuildModel(*set);
    if (!w.ok()) { std::fprintf(stderr, "%s\n", std::string(w.status().message()).c_str()); return 1; }
    const double build_s = Since(t1);
    double upload_s = 0;
    std::string upload = "no upload";
#ifdef RWKVKIT_LOAD_BENCH_CUDA
    if (dtype != "none" && rr::CudaDeviceCount() > 0) {
      const rr::CudaDType dt = dtype == "fp16" ? rr::CudaDType::kFp16 : dtype == "fp32" ? rr::CudaDType::kFp32 : rr::CudaDType::kBf16;
      const auto t2 = std::chrono::steady_clock::now();
      absl::StatusOr<std::unique_ptr<rr::CudaModel>> m = rr::CudaModel::Create(*w, dt, 0);
      if (!m.ok()) { std::fprintf(stderr, "%s\n", std::string(m.status().message()).c_str()); return 1; }
      upload_s = Since(t2);
      upload = "CudaModel::Create " + dtype;
    }
#endif
    const double total_s = Since(t0), cpu_s = CpuSeconds() - cpu0;
    std::printf("repeat %d: read %.3f s, build %.3f s, %s %.3f s; total %.3f s wall, %.3f s CPU; v%s L=%d D=%d V=%d; fingerprint %016llx\n",
                r, read_s, build_s, upload.c_str(), upload_s, total_s, cpu_s, std::string(rr::VersionName(w->config.version)).c_str(),
                w->config.n_layer, w->config.n_embd, w->config.vocab_size,
                static_cast<unsigned long long>(r == 0 ? Fingerprint(*w) : 0));
    std::fflush(stdout);
  }
  return 0;
}
