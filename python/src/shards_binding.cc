// python/src/shards_binding.cc — what rwkvkit.open_shards needs from C++: the validated
// index of a shard (corpus/binidx/shard_reader.h), which shards a path names
// (refmodel/eval/shard_set.h), and RWKV-LM's numbers (corpus/binidx/training_numbers.h).
// The .bin is mapped on the Python side (numpy over mmap), so documents are views.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/filesystem.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <filesystem>
#include <string>
#include <vector>

#include "corpus/binidx/shard_reader.h"
#include "corpus/binidx/training_numbers.h"
#include "python/src/bindings.h"
#include "python/src/status_error.h"
#include "refmodel/eval/shard_set.h"

namespace nb = nanobind;

namespace rwkvkit::python {
namespace {

// One opened shard's index: everything but the token data.
struct ShardIndex {
  std::string prefix;
  std::string bin_path;
  std::string idx_path;
  std::string dtype;  // "uint16" or "int32"
  uint64_t num_documents = 0;
  uint64_t num_tokens = 0;
  nb::object offsets_array;
};

ShardIndex OpenIndex(const std::filesystem::path& prefix) {
  binidx::ShardReader r = ValueOrThrow(binidx::ShardReader::Open(prefix));
  ShardIndex s;
  s.prefix = prefix.string();
  s.bin_path = r.bin_path().string();
  s.idx_path = r.idx_path().string();
  s.dtype = r.dtype_code() == 8 ? "uint16" : "int32";
  s.num_documents = r.num_documents();
  s.num_tokens = r.num_tokens();
  auto* offsets = new std::vector<uint64_t>(r.num_documents() + 1);
  nb::capsule owner(offsets, [](void* p) noexcept { delete static_cast<std::vector<uint64_t>*>(p); });
  for (uint64_t i = 0; i <= r.num_documents(); ++i) (*offsets)[i] = r.sequence_begin(r.document_first_sequence(i));
  nb::ndarray<nb::numpy, const uint64_t, nb::ndim<1>> arr(offsets->data(), {offsets->size()}, owner);
  s.offsets_array = nb::cast(arr);
  return s;
}

}  // namespace

void BindShards(nb::module_& m) {
  nb::class_<ShardIndex>(m, "ShardIndex",
                         "The validated index of one binidx shard (every check of `rwkvkit inspect`'s reader).")
      .def_ro("prefix", &ShardIndex::prefix)
      .def_ro("bin_path", &ShardIndex::bin_path)
      .def_ro("idx_path", &ShardIndex::idx_path)
      .def_ro("dtype", &ShardIndex::dtype, "'uint16' (rwkvkit, RWKV-LM) or 'int32' (Megatron, datatrove)")
      .def_ro("num_documents", &ShardIndex::num_documents)
      .def_ro("num_tokens", &ShardIndex::num_tokens)
      .def_prop_ro(
          "doc_offsets", [](const ShardIndex& s) { return s.offsets_array; },
          nb::sig("def doc_offsets(self) -> numpy.ndarray"),
          "Token offset of every document in the .bin, then the total (numpy uint64, read-only).");
  m.def("open_shard_index", &OpenIndex, nb::arg("prefix"),
        "Opens and validates ``prefix``.idx against ``prefix``.bin (raises rwkvkit.DataLossError for\n"
        "a damaged shard, rwkvkit.NotFoundError when a file is missing).");
  m.def(
      "resolve_shards",
      [](const std::vector<std::string>& paths) {
        std::vector<std::string> out;
        for (const auto& p : ValueOrThrow(refmodel::ResolveShards(paths))) out.push_back(p.string());
        return out;
      },
      nb::arg("paths"),
      "The shard prefixes the paths name: a prefix, a .bin/.idx path, or a directory (all its\n"
      "shards, by name order), as ``rwkvkit eval --data`` reads them.");
  m.def(
      "training_numbers",
      [](uint64_t tokens, uint64_t ctx_len) {
        const binidx::TrainingNumbers t = ValueOrThrow(binidx::ComputeTrainingNumbers(tokens, ctx_len));
        nb::dict d;
        d["my_exit_tokens"] = t.my_exit_tokens;
        d["ctx_len"] = t.ctx_len;
        d["magic_prime"] = t.magic_prime ? nb::object(nb::int_(*t.magic_prime)) : nb::none();
        d["trainer_accepts"] = t.trainer_accepts;
        d["problem"] = binidx::TrainingProblem(t);
        return d;
      },
      nb::arg("tokens"), nb::arg("ctx_len"),
      "RWKV-LM's --my_exit_tokens and --magic_prime for a token count (make_data.py's rule), and\n"
      "whether the trainer's own checks accept them (``problem`` says why not).");
  m.def("is_prime", &binidx::IsPrime, nb::arg("n"),
        "Whether the 64-bit ``n`` is prime (deterministic Miller-Rabin; the test behind the magic prime).");
}

}  // namespace rwkvkit::python
