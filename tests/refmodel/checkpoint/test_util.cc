// tests/refmodel/checkpoint/test_util.cc — the writers of tiny test checkpoints. See the header.
#include "tests/refmodel/checkpoint/test_util.h"

#include <unistd.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"

namespace rwkvkit::refmodel::testing {
namespace {

void PutLe(std::string& s, uint64_t v, int n) {
  for (int k = 0; k < n; ++k) s.push_back(static_cast<char>((v >> (8 * k)) & 0xFF));
}

uint32_t FloatBits(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  return x;
}

// Protocol-2 pickle pieces, as pickletools documents them.
class PickleWriter {
 public:
  explicit PickleWriter(bool short_strings) : short_(short_strings) {}
  std::string& out() { return p_; }
  void Raw(const std::string& s) { p_ += s; }
  void Str(const std::string& s) {
    if (short_ && s.size() < 256) {
      p_.push_back('\x8c');
      PutLe(p_, s.size(), 1);
    } else {
      p_.push_back('X');
      PutLe(p_, s.size(), 4);
    }
    p_ += s;
  }
  void Int(int64_t v) {
    if (v >= 0 && v < 256) {
      p_.push_back('K');
      PutLe(p_, v, 1);
    } else if (v >= 0 && v < 65536) {
      p_.push_back('M');
      PutLe(p_, v, 2);
    } else {
      p_.push_back('J');
      PutLe(p_, static_cast<uint32_t>(v), 4);
    }
  }
  void Global(const std::string& module, const std::string& name) { p_ += "c" + module + "\n" + name + "\n"; }
  int Put() {
    if (short_) {
      p_.push_back('\x94');
    } else if (memo_ < 256) {
      p_.push_back('q');  // BINPUT
      PutLe(p_, memo_, 1);
    } else {
      p_.push_back('r');  // LONG_BINPUT
      PutLe(p_, memo_, 4);
    }
    return memo_++;
  }
  void Get(int idx) {
    p_.push_back('h');
    PutLe(p_, idx, 1);
  }
  void IntTuple(const std::vector<int64_t>& v) {
    if (v.empty()) return Raw(")");
    if (v.size() > 3) Raw("(");
    for (int64_t x : v) Int(x);
    if (v.size() > 3) return Raw("t");
    p_.push_back(static_cast<char>(0x84 + v.size()));  // TUPLE1..3
  }
  void EmptyOrderedDict() {
    Global("collections", "OrderedDict");
    Raw(")R");
  }

 private:
  bool short_;
  std::string p_;
  int memo_ = 0;
};

const char* StorageType(TestDType dt) {
  switch (dt) {
    case TestDType::kF32: return "FloatStorage";
    case TestDType::kF16: return "HalfStorage";
    case TestDType::kBF16: return "BFloat16Storage";
  }
  return "";
}

const char* SafetensorsName(TestDType dt) {
  switch (dt) {
    case TestDType::kF32: return "F32";
    case TestDType::kF16: return "F16";
    case TestDType::kBF16: return "BF16";
  }
  return "";
}

std::vector<int64_t> RowMajorStrides(const std::vector<int64_t>& shape) {
  std::vector<int64_t> s(shape.size());
  int64_t acc = 1;
  for (size_t k = shape.size(); k-- > 0;) {
    s[k] = acc;
    acc *= shape[k];
  }
  return s;
}

}  // namespace

std::vector<double> EmbAfterLn0(const std::vector<float>& emb, const std::vector<float>& w, const std::vector<float>& b,
                                int V, int D) {
  std::vector<double> out(emb.size());
  for (int v = 0; v < V; ++v) {
    const float* row = emb.data() + static_cast<size_t>(v) * D;
    double mean = 0, var = 0;
    for (int k = 0; k < D; ++k) mean += row[k];
    mean /= D;
    for (int k = 0; k < D; ++k) var += std::pow(row[k] - mean, 2);
    var /= D;
    for (int k = 0; k < D; ++k)
      out[static_cast<size_t>(v) * D + k] = (row[k] - mean) / std::sqrt(var + 1e-5) * w[k] + b[k];
  }
  return out;
}

std::vector<NamedTensor> MakeTinyModel(const std::string& version, const TinyDims& d, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> k(-255, 255);
  std::vector<NamedTensor> out;
  auto add = [&](std::string name, std::vector<int64_t> shape) {
    int64_t n = 1;
    for (int64_t x : shape) n *= x;
    std::vector<float> v(n);
    for (float& x : v) x = static_cast<float>(k(rng)) / 256.0f;
    out.push_back({std::move(name), std::move(shape), std::move(v)});
  };
  const int64_t D = d.D, A = d.A, H = d.H, N = d.N, F = d.F, V = d.V;
  add("emb.weight", {V, D});
  add("blocks.0.ln0.weight", {D});
  add("blocks.0.ln0.bias", {D});
  if (version == "7.0") {
    for (int l = 0; l < d.L; ++l) {
      const std::string b = absl::StrCat("blocks.", l, ".");
      for (const char* n : {"ln1.weight", "ln1.bias", "ln2.weight", "ln2.bias"}) add(b + n, {D});
      for (const char* n : {"att.x_r", "att.x_w", "att.x_k", "att.x_v", "att.x_a", "att.x_g", "att.w0"}) add(b + n, {1, 1, D});
      add(b + "att.w1", {D, d.Dw});
      add(b + "att.w2", {d.Dw, D});
      add(b + "att.a0", {1, 1, D});
      add(b + "att.a1", {D, d.Da});
      add(b + "att.a2", {d.Da, D});
      add(b + "att.v0", {1, 1, D});
      add(b + "att.v1", {D, d.Dv});
      add(b + "att.v2", {d.Dv, D});
      add(b + "att.g1", {D, d.Dg});
      add(b + "att.g2", {d.Dg, D});
      add(b + "att.k_k", {1, 1, D});
      add(b + "att.k_a", {1, 1, D});
      add(b + "att.r_k", {H, N});
      for (const char* n : {"att.receptance.weight", "att.key.weight", "att.value.weight", "att.output.weight"})
        add(b + n, {D, D});
      add(b + "att.ln_x.weight", {D});
      add(b + "att.ln_x.bias", {D});
      add(b + "ffn.x_k", {1, 1, D});
      add(b + "ffn.key.weight", {F, D});
      add(b + "ffn.value.weight", {D, F});
    }
    add("ln_out.weight", {D});
    add("ln_out.bias", {D});
    add("head.weight", {V, D});
    return out;
  }
  for (int l = 0; l < d.L; ++l) {
    const std::string b = absl::StrCat("blocks.", l, ".");
    for (const char* n : {"ln1.weight", "ln1.bias", "ln2.weight", "ln2.bias"}) add(b + n, {D});
    if (version == "5.2") {
      for (const char* n : {"att.time_mix_k", "att.time_mix_v", "att.time_mix_r", "att.time_mix_g"}) add(b + n, {1, 1, D});
      add(b + "att.time_decay", {H, N});
    } else {
      for (const char* n : {"att.time_maa_x", "att.time_maa_w", "att.time_maa_k", "att.time_maa_v", "att.time_maa_r",
                            "att.time_maa_g"})
        add(b + n, {1, 1, D});
      add(b + "att.time_maa_w1", {D, 5 * d.Dm});
      add(b + "att.time_maa_w2", {5, d.Dm, D});
      add(b + "att.time_decay", {1, 1, A});
      add(b + "att.time_decay_w1", {D, d.Dd});
      add(b + "att.time_decay_w2", {d.Dd, A});
    }
    add(b + "att.time_faaaa", {H, N});
    for (const char* n : {"att.receptance.weight", "att.key.weight", "att.value.weight"}) add(b + n, {A, D});
    add(b + "att.output.weight", {D, A});
    add(b + "att.gate.weight", {A, D});
    add(b + "att.ln_x.weight", {A});
    add(b + "att.ln_x.bias", {A});
    if (version == "5.2") {
      add(b + "ffn.time_mix_k", {1, 1, D});
      add(b + "ffn.time_mix_r", {1, 1, D});
    } else {
      add(b + "ffn.time_maa_k", {1, 1, D});
      add(b + "ffn.time_maa_r", {1, 1, D});
    }
    add(b + "ffn.key.weight", {F, D});
    add(b + "ffn.receptance.weight", {D, D});
    add(b + "ffn.value.weight", {D, F});
  }
  add("ln_out.weight", {D});
  add("ln_out.bias", {D});
  add("head.weight", {V, D});
  return out;
}

uint16_t FloatToHalf(float f) {
  const uint32_t x = FloatBits(f);
  const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000);
  const uint32_t a = x & 0x7FFFFFFF;
  if (a > 0x7F800000) return sign | 0x7E00;                    // NaN
  if (a < 0x38800000) {                                         // below 2^-14: subnormal or 0
    return sign | static_cast<uint16_t>(std::nearbyint(std::fabs(f) * 16777216.0f));  // * 2^24, ties to even
  }
  uint32_t h = ((((a >> 23) - 112)) << 10) | ((a & 0x7FFFFF) >> 13);
  const uint32_t rem = a & 0x1FFF;
  if (rem > 0x1000 || (rem == 0x1000 && (h & 1))) ++h;
  if (h >= 0x7C00) h = 0x7C00;  // overflow (and inf)
  return sign | static_cast<uint16_t>(h);
}

uint16_t FloatToBFloat16(float f) {
  const uint32_t x = FloatBits(f);
  if ((x & 0x7FFFFFFF) > 0x7F800000) return static_cast<uint16_t>((x >> 16) | 0x40);
  return static_cast<uint16_t>((x + 0x7FFF + ((x >> 16) & 1)) >> 16);
}

std::string EncodeValues(const std::vector<float>& v, TestDType dt) {
  std::string s;
  for (float f : v) {
    switch (dt) {
      case TestDType::kF32: PutLe(s, FloatBits(f), 4); break;
      case TestDType::kF16: PutLe(s, FloatToHalf(f), 2); break;
      case TestDType::kBF16: PutLe(s, FloatToBFloat16(f), 2); break;
    }
  }
  return s;
}

std::string WriteSafetensors(const std::vector<NamedTensor>& ts, TestDType dt, const std::string& override_name,
                             const std::string& dtype_override) {
  std::string data;
  std::vector<std::string> entries = {"\"__metadata__\":{\"format\":\"pt\"}"};
  for (const NamedTensor& t : ts) {
    const std::string bytes = EncodeValues(t.values, dt);
    const std::string dtype = t.name == override_name ? dtype_override : SafetensorsName(dt);
    entries.push_back(absl::StrCat("\"", t.name, "\":{\"dtype\":\"", dtype, "\",\"shape\":[",
                                   absl::StrJoin(t.shape, ","), "],\"data_offsets\":[", data.size(), ",",
                                   data.size() + bytes.size(), "]}"));
    data += bytes;
  }
  std::string header = "{" + absl::StrJoin(entries, ",") + "}";
  while (header.size() % 8 != 0) header.push_back(' ');
  std::string out;
  PutLe(out, header.size(), 8);
  return out + header + data;
}

std::string WritePth(const std::vector<NamedTensor>& ts, const PthOptions& o) {
  PickleWriter p(o.short_strings);
  p.Raw("\x80\x02");
  if (o.unknown_opcode >= 0) p.out().push_back(static_cast<char>(o.unknown_opcode));
  p.EmptyOrderedDict();
  p.Put();
  p.Raw("(");  // SETITEMS mark
  std::vector<std::pair<std::string, std::string>> storages;
  std::string shared;
  int64_t shared_numel = 0;
  for (const NamedTensor& t : ts) shared_numel += static_cast<int64_t>(t.values.size());
  int rebuild = -1;
  int64_t offset = 0;
  for (size_t i = 0; i < ts.size(); ++i) {
    const NamedTensor& t = ts[i];
    p.Str(t.name);
    if (rebuild < 0) {
      p.Global("torch._utils", "_rebuild_tensor_v2");
      rebuild = p.Put();
    } else {
      p.Get(rebuild);
    }
    p.Raw("((");  // args mark; persistent id mark
    p.Str("storage");
    p.Global("torch", i == 0 && !o.storage_type_override.empty() ? o.storage_type_override : StorageType(o.dtype));
    p.Str(o.shared_storage ? "0" : std::to_string(i));
    p.Str("cpu");
    p.Int(o.shared_storage ? shared_numel : static_cast<int64_t>(t.values.size()));
    p.Raw("t");
    p.Put();
    p.Raw("Q");
    p.Int(o.shared_storage ? offset : 0);
    p.IntTuple(t.shape);
    p.IntTuple(RowMajorStrides(t.shape));
    p.Raw("\x89");  // requires_grad False
    p.EmptyOrderedDict();  // backward hooks
    p.Raw("t");
    p.Put();
    p.Raw("R");
    p.Put();
    const std::string bytes = EncodeValues(t.values, o.dtype);
    if (o.shared_storage) {
      shared += bytes;
      offset += static_cast<int64_t>(t.values.size());
    } else {
      storages.emplace_back(absl::StrCat(o.folder, "/data/", i), bytes);
    }
  }
  p.Raw("u");
  // state_dict._metadata, applied with BUILD as pickle does for an OrderedDict's __dict__.
  p.Raw("}");
  p.Str("_metadata");
  p.EmptyOrderedDict();
  p.Raw("(");
  p.Str("");
  p.Raw("}");
  p.Str("version");
  p.Int(1);
  p.Raw("su");
  p.Raw("sb.");
  std::vector<std::pair<std::string, std::string>> entries = {{o.folder + "/data.pkl", p.out()},
                                                              {o.folder + "/byteorder", "little"}};
  if (o.shared_storage) entries.emplace_back(o.folder + "/data/0", shared);
  for (auto& s : storages) entries.push_back(std::move(s));
  entries.emplace_back(o.folder + "/version", "3\n");
  return WriteZip(entries, o.zip64).bytes;
}

ZipFile WriteZip(const std::vector<std::pair<std::string, std::string>>& entries, bool zip64) {
  ZipFile z;
  std::string& s = z.bytes;
  for (const auto& [name, data] : entries) {
    z.local_offsets.push_back(s.size());
    const size_t pad = (64 - (s.size() + 30 + name.size() + 4) % 64) % 64;
    PutLe(s, 0x04034b50, 4);
    PutLe(s, zip64 ? 45 : 20, 2);  // version needed
    PutLe(s, 0, 2);                // flags
    PutLe(s, 0, 2);                // method: stored
    PutLe(s, 0, 2);                // time
    PutLe(s, 0x21, 2);             // date 1980-01-01
    PutLe(s, TestCrc32(data), 4);
    PutLe(s, data.size(), 4);
    PutLe(s, data.size(), 4);
    PutLe(s, name.size(), 2);
    PutLe(s, 4 + pad, 2);
    s += name;
    PutLe(s, 0x4246, 2);  // "FB" padding field, as torch writes
    PutLe(s, pad, 2);
    s.append(pad, '\0');
    s += data;
  }
  z.central_offset = s.size();
  for (size_t i = 0; i < entries.size(); ++i) {
    const auto& [name, data] = entries[i];
    const uint32_t big = 0xFFFFFFFF;
    PutLe(s, 0x02014b50, 4);
    PutLe(s, 0x031E, 2);
    PutLe(s, zip64 ? 45 : 20, 2);
    PutLe(s, 0, 2);
    PutLe(s, 0, 2);
    PutLe(s, 0, 2);
    PutLe(s, 0x21, 2);
    PutLe(s, TestCrc32(data), 4);
    PutLe(s, zip64 ? big : data.size(), 4);
    PutLe(s, zip64 ? big : data.size(), 4);
    PutLe(s, name.size(), 2);
    PutLe(s, zip64 ? 28 : 0, 2);  // extra
    PutLe(s, 0, 2);               // comment
    PutLe(s, 0, 2);               // disk
    PutLe(s, 0, 2);               // internal attributes
    PutLe(s, 0, 4);               // external attributes
    PutLe(s, zip64 ? big : z.local_offsets[i], 4);
    s += name;
    if (zip64) {  // ZIP64 extra: size, compressed size, local header offset
      PutLe(s, 1, 2);
      PutLe(s, 24, 2);
      PutLe(s, data.size(), 8);
      PutLe(s, data.size(), 8);
      PutLe(s, z.local_offsets[i], 8);
    }
  }
  const uint64_t cd_size = s.size() - z.central_offset;
  if (zip64) {
    const uint64_t rec = s.size();
    PutLe(s, 0x06064b50, 4);
    PutLe(s, 44, 8);
    PutLe(s, 45, 2);
    PutLe(s, 45, 2);
    PutLe(s, 0, 4);
    PutLe(s, 0, 4);
    PutLe(s, entries.size(), 8);
    PutLe(s, entries.size(), 8);
    PutLe(s, cd_size, 8);
    PutLe(s, z.central_offset, 8);
    PutLe(s, 0x07064b50, 4);
    PutLe(s, 0, 4);
    PutLe(s, rec, 8);
    PutLe(s, 1, 4);
  }
  z.eocd_offset = s.size();
  PutLe(s, 0x06054b50, 4);
  PutLe(s, 0, 2);
  PutLe(s, 0, 2);
  PutLe(s, zip64 ? 0xFFFF : entries.size(), 2);
  PutLe(s, zip64 ? 0xFFFF : entries.size(), 2);
  PutLe(s, zip64 ? 0xFFFFFFFF : cd_size, 4);
  PutLe(s, zip64 ? 0xFFFFFFFF : z.central_offset, 4);
  PutLe(s, 0, 2);
  return z;
}

uint32_t TestCrc32(const std::string& s) {
  uint32_t c = 0xFFFFFFFF;
  for (unsigned char b : s) {
    c ^= b;
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
  }
  return ~c;
}

std::filesystem::path FreshTestDir() {
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              absl::StrReplaceAll(absl::StrCat("rwkvkit_ckpt_", getpid(), "_", info->test_suite_name(), "_", info->name()), {{"/", "_"}});
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

void WriteFile(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace rwkvkit::refmodel::testing
