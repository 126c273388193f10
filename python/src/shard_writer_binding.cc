// python/src/shard_writer_binding.cc — rwkvkit._rwkvkit.ShardWriter: one binidx shard written
// from Python by corpus/binidx/shard_writer.h (the project's one binidx writer: temporary
// files, fsync, rename into place, nothing partial visible). Documents arrive as the flat ids
// and offsets of Tokenizer.encode_batch_numpy; the end-of-text token is appended to each on
// request. Writing runs with the GIL released.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/filesystem.h>
#include <nanobind/stl/string.h>

#include <cstdint>
#include <filesystem>
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
  std::optional<binidx::ShardWriter> writer;  // empty once closed

  binidx::ShardWriter& open() {
    if (!writer) throw nb::value_error("the shard writer is closed");
    return *writer;
  }
};

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
            new (self) PyShardWriter{ValueOrThrow(binidx::ShardWriter::Create(prefix))};
          },
          nb::arg("prefix"))
      .def(
          "add_documents",
          [](PyShardWriter& self, Ids ids, Offsets offsets, bool end_of_text) {
            binidx::ShardWriter& w = self.open();
            const size_t n = offsets.shape(0);
            const uint64_t* off = offsets.data();
            for (size_t i = 0; i < n; ++i) {
              const bool in_order = i == 0 || off[i] >= off[i - 1];
              if (!in_order || off[i] > ids.shape(0))
                throw nb::value_error(absl::StrCat("offsets[", i, "] = ", off[i], " is not an offset into the ",
                                                   ids.shape(0), " ids in non-decreasing order")
                                          .c_str());
            }
            absl::Status st;
            {
              nb::gil_scoped_release release;
              st = AddDocuments(w, std::span<const uint16_t>(ids.data(), ids.shape(0)),
                                std::span<const uint64_t>(off, n), end_of_text);
            }
            ThrowIfError(st);
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
            binidx::ShardWriter& w = self.open();
            absl::StatusOr<binidx::ShardSummary> s;
            {
              nb::gil_scoped_release release;
              s = w.Finish();
            }
            const binidx::ShardSummary summary = ValueOrThrow(std::move(s));
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
          "close", [](PyShardWriter& self) { self.writer.reset(); },
          "Drops the shard unless finish() published it (its temporary files are removed).")
      .def_prop_ro(
          "documents", [](const PyShardWriter& self) { return self.writer ? self.writer->documents() : 0; },
          "Documents added so far.")
      .def_prop_ro(
          "tokens", [](const PyShardWriter& self) { return self.writer ? self.writer->tokens() : 0; },
          "Tokens added so far (end-of-text tokens included).");
}

}  // namespace rwkvkit::python
