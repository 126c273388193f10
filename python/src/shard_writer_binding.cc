// python/src/shard_writer_binding.cc — rwkvkit._rwkvkit.ShardWriter: one binidx shard written
// from Python by corpus/binidx/shard_writer.h (the project's one binidx writer: temporary
// files, fsync, rename into place, nothing partial visible). Documents arrive as the flat ids
// and offsets of Tokenizer.encode_batch_numpy; the end-of-text token is appended to each on
// request. Writing runs with the GIL released; one mutex orders the calls of several Python
// threads on one writer, and the offsets are checked on a private copy.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/filesystem.h>
#include <nanobind/stl/string.h>

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "corpus/binidx/shard_writer.h"
#include "python/src/bindings.h"
#include "python/src/status_error.h"
#include "tokenizer/tokenizer.h"

namespace nb = nanobind;

namespace rwkvkit::python {
namespace {

using Ids = nb::ndarray<const uint16_t, nb::ndim<1>, nb::c_contig, nb::device::cpu>;
using Offsets = nb::ndarray<const uint64_t, nb::ndim<1>, nb::c_contig, nb::device::cpu>;

struct PyShardWriter {
  std::mutex mu;                              // held (GIL released) by every use of `writer`
  std::optional<binidx::ShardWriter> writer;  // empty once closed
};

// Runs fn(writer) with the GIL released and the writer's mutex held; raises ValueError when
// the writer is closed.
template <typename Fn>
auto WithWriter(PyShardWriter& self, Fn fn) {
  std::optional<decltype(fn(*self.writer))> result;
  {
    nb::gil_scoped_release release;
    std::lock_guard<std::mutex> lock(self.mu);
    if (self.writer) result.emplace(fn(*self.writer));
  }
  if (!result) throw nb::value_error("the shard writer is closed");
  return std::move(*result);
}

// One of the writer's counters, read under its mutex; 0 once the writer is closed.
uint64_t Counter(PyShardWriter& self, uint64_t (binidx::ShardWriter::*get)() const) {
  nb::gil_scoped_release release;
  std::lock_guard<std::mutex> lock(self.mu);
  return self.writer ? ((*self.writer).*get)() : 0;
}

absl::Status AddDocuments(binidx::ShardWriter& w, std::span<const uint16_t> ids, std::span<const uint64_t> offsets,
                          bool end_of_text) {
  std::vector<uint16_t> doc;
  for (size_t d = 0; d + 1 < offsets.size(); ++d) {
    std::span<const uint16_t> tokens = ids.subspan(offsets[d], offsets[d + 1] - offsets[d]);
    if (end_of_text) {
      doc.assign(tokens.begin(), tokens.end());
      doc.push_back(tokenizer::kEndOfText);
      tokens = doc;
    }
    if (absl::Status s = w.AddDocument(tokens); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace

void BindShardWriter(nb::module_& m) {
  nb::class_<PyShardWriter>(m, "ShardWriter",
                            "Writes one binidx shard, ``prefix``.bin and ``prefix``.idx, as RWKV-LM's make_data.py and\n"
                            "Megatron write it (uint16 tokens, one sequence per document). The files appear under\n"
                            "their names only when finish() succeeds; a writer dropped before that removes its\n"
                            "temporary files. The folder of ``prefix`` must exist.")
      .def(
          "__init__",
          [](PyShardWriter* self, const std::filesystem::path& prefix) {
            binidx::ShardWriter w = ValueOrThrow(binidx::ShardWriter::Create(prefix));
            new (self) PyShardWriter();
            self->writer.emplace(std::move(w));
          },
          nb::arg("prefix"))
      .def(
          "add_documents",
          [](PyShardWriter& self, Ids ids, Offsets offsets, bool end_of_text) {
            // A private copy: another thread may write to the array once the GIL is released.
            const std::vector<uint64_t> off(offsets.data(), offsets.data() + offsets.shape(0));
            const size_t n = off.size();
            for (size_t i = 0; i < n; ++i) {
              const bool in_order = i == 0 || off[i] >= off[i - 1];
              if (!in_order || off[i] > ids.shape(0))
                throw nb::value_error(absl::StrCat("offsets[", i, "] = ", off[i], " is not an offset into the ",
                                                   ids.shape(0), " ids in non-decreasing order")
                                          .c_str());
            }
            const std::span<const uint16_t> all(ids.data(), ids.shape(0));
            ThrowIfError(WithWriter(self, [&](binidx::ShardWriter& w) { return AddDocuments(w, all, off, end_of_text); }));
          },
          nb::arg("ids").noconvert(), nb::arg("offsets").noconvert(), nb::arg("end_of_text") = true,
          nb::sig("def add_documents(self, ids: numpy.ndarray, offsets: numpy.ndarray, end_of_text: bool = True) -> None"),
          "Appends the documents ``ids[offsets[i]:offsets[i + 1]]`` (numpy uint16 and uint64, as\n"
          "Tokenizer.encode_batch_numpy returns them; no other dtype is converted), each followed\n"
          "by the end-of-text token 0 unless ``end_of_text`` is false. An I/O error raises, and\n"
          "every later call fails.")
      .def(
          "finish",
          [](PyShardWriter& self) {
            const binidx::ShardSummary summary =
                ValueOrThrow(WithWriter(self, [](binidx::ShardWriter& w) { return w.Finish(); }));
            nb::dict d;
            d["bin_path"] = summary.bin_path.string();
            d["idx_path"] = summary.idx_path.string();
            d["documents"] = summary.documents;
            d["tokens"] = summary.tokens;
            d["bin_bytes"] = summary.bin_bytes;
            d["idx_bytes"] = summary.idx_bytes;
            return d;
          },
          nb::sig("def finish(self) -> dict[str, typing.Any]"),
          "Publishes the shard (fsynced, renamed into place) and returns what was written:\n"
          "``bin_path``, ``idx_path``, ``documents``, ``tokens``, ``bin_bytes``, ``idx_bytes``.")
      .def(
          "close",
          [](PyShardWriter& self) {
            nb::gil_scoped_release release;
            std::lock_guard<std::mutex> lock(self.mu);
            self.writer.reset();
          },
          "Drops the shard unless finish() published it (its temporary files are removed).")
      .def_prop_ro(
          "documents", [](PyShardWriter& self) { return Counter(self, &binidx::ShardWriter::documents); },
          "Documents added so far.")
      .def_prop_ro(
          "tokens", [](PyShardWriter& self) { return Counter(self, &binidx::ShardWriter::tokens); },
          "Tokens added so far (end-of-text tokens included).");
}

}  // namespace rwkvkit::python
