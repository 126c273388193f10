// python/src/tokenizer_binding.cc — rwkvkit.Tokenizer: the World tokenizer from Python.
//
// Lists of ids share one int object per id (id_list.h), so an encode allocates one
// list and nothing per token. Encodes of large inputs and every batch run with the GIL
// released: encode_batch makes its lists while TBB threads encode (batch_lists.h),
// encode_batch_numpy runs tokenizer/batch_encoder.h.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/filesystem.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>
#include <tbb/info.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "python/src/batch_lists.h"
#include "python/src/bindings.h"
#include "python/src/id_list.h"
#include "python/src/sequence_items.h"
#include "python/src/status_error.h"
#include "python/src/text_view.h"
#include "tokenizer/batch_encoder.h"
#include "tokenizer/tokenizer.h"

namespace nb = nanobind;

namespace rwkvkit::python {
namespace {

using tokenizer::Tokenizer;

// Inputs at least this long are encoded with the GIL released (below, the release and
// re-acquire would cost more than other threads gain).
constexpr size_t kReleaseGilBytes = 64 * 1024;

const char kClassDoc[] = R"(The RWKV "World" tokenizer: greedy longest match over UTF-8 bytes.

Bit-identical to the official ``rwkv.rwkv_tokenizer.TRIE_TOKENIZER`` on any input, invalid
UTF-8 included. No normalization is applied and no BOS/EOS is added; id 0 is the end-of-text
token that ends every document in binidx shards and decodes to nothing.

Thread-safe: every method may be called from many threads (long inputs and batches release
the GIL). Picklable (the vocab path is pickled, and the copy loads it again).

Args:
    vocab: a vocab file in the World format (``rwkv_vocab_v20230424.txt``). ``None`` finds
        the World vocab as the rwkvkit CLI does: ``$RWKVKIT_VOCAB``, else the copy shipped
        inside this package.

Example:
    >>> tok = rwkvkit.Tokenizer()
    >>> tok.encode("Hello world")
    [33155, 40213]
    >>> tok.decode([33155, 40213])
    'Hello world'
)";

// The per-thread scratch buffer of Encode(): grows to the largest input seen on the thread.
std::vector<uint16_t>& Scratch() {
  thread_local std::vector<uint16_t> buf;
  return buf;
}

size_t EncodeView(const Tokenizer& tok, std::string_view bytes, uint16_t* out) {
  if (bytes.size() < kReleaseGilBytes) return tok.EncodeToBuffer(bytes, std::span<uint16_t>(out, bytes.size()));
  nb::gil_scoped_release release;
  return tok.EncodeToBuffer(bytes, std::span<uint16_t>(out, bytes.size()));
}

// Ids given to decode(): a list/tuple of ints, or any buffer of integers (numpy arrays of any
// integer dtype, array.array, memoryview). Values outside 0..65535 raise ValueError.
void ReadIds(nb::handle obj, std::vector<uint16_t>& out) {
  out.clear();
  PyObject* o = obj.ptr();
  auto bad = [](size_t i, long long v) {
    throw nb::value_error(absl::StrCat("ids[", i, "] = ", v, " is not a token id (0..65535)").c_str());
  };
  if (PyObject_CheckBuffer(o) && !PyUnicode_Check(o) && !PyBytes_Check(o)) {
    Py_buffer view;
    if (PyObject_GetBuffer(o, &view, PyBUF_FORMAT | PyBUF_C_CONTIGUOUS) == 0) {
      struct Release {
        Py_buffer* v;
        ~Release() { PyBuffer_Release(v); }
      } release{&view};
      std::string_view fmt = view.format ? view.format : "B";
      if (!fmt.empty() && (fmt[0] == '@' || fmt[0] == '=' || fmt[0] == '<')) fmt.remove_prefix(1);
      if (fmt.size() != 1) throw nb::type_error(absl::StrCat("ids: unsupported buffer format '", std::string(fmt), "'").c_str());
      const size_t n = static_cast<size_t>(view.len / view.itemsize);
      out.resize(n);
      auto copy = [&](auto* p) {
        for (size_t i = 0; i < n; ++i) {
          const long long v = static_cast<long long>(p[i]);
          if (v < 0 || v > 65535) bad(i, v);
          out[i] = static_cast<uint16_t>(v);
        }
      };
      switch (fmt[0]) {
        case 'B': copy(static_cast<const uint8_t*>(view.buf)); break;
        case 'b': copy(static_cast<const int8_t*>(view.buf)); break;
        case 'H': std::memcpy(out.data(), view.buf, n * 2); break;
        case 'h': copy(static_cast<const int16_t*>(view.buf)); break;
        case 'I': copy(static_cast<const uint32_t*>(view.buf)); break;
        case 'i': copy(static_cast<const int32_t*>(view.buf)); break;
        case 'L': case 'Q': copy(static_cast<const uint64_t*>(view.buf)); break;
        case 'l': case 'q': copy(static_cast<const int64_t*>(view.buf)); break;
        default: throw nb::type_error(absl::StrCat("ids: expected integers, got buffer format '", std::string(fmt), "'").c_str());
      }
      return;
    }
    PyErr_Clear();
  }
  const SequenceItems items(obj, "ids: expected a sequence of ints or an integer array");
  out.resize(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    int overflow = 0;
    const long long v = PyLong_AsLongLongAndOverflow(items[i], &overflow);
    if (v == -1 && PyErr_Occurred()) throw nb::python_error();
    if (overflow != 0 || v < 0 || v > 65535) bad(i, overflow ? -1 : v);
    out[i] = static_cast<uint16_t>(v);
  }
}

std::string DecodeToBytes(const Tokenizer& tok, nb::handle ids) {
  thread_local std::vector<uint16_t> buf;
  ReadIds(ids, buf);
  std::string out;
  const absl::Status st = tok.DecodeInto(buf, out);
  if (!st.ok()) throw nb::value_error(std::string(st.message()).c_str());
  return out;
}

struct FreeDeleter {
  void operator()(void* p) const noexcept { std::free(p); }
};

// The owner of a heap array handed to numpy: freed when the last array viewing it goes.
template <typename T>
nb::capsule OwnVector(std::vector<T>* v) {
  return nb::capsule(v, [](void* p) noexcept { delete static_cast<std::vector<T>*>(p); });
}

struct TextList {
  std::vector<TextView> views;
  std::vector<std::string_view> bytes;
  nb::object keep;  // the list the views point into
};

TextList GatherTexts(nb::handle texts) {
  TextList t;
  const SequenceItems items(texts, "texts: expected an iterable of str or bytes");
  t.keep = items.holder();
  t.views.reserve(items.size());
  t.bytes.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    t.views.emplace_back(nb::handle(items[i]));
    t.bytes.push_back(t.views.back().bytes());
  }
  return t;
}

tokenizer::EncodedBatch RunBatch(const Tokenizer& tok, const TextList& texts, std::optional<int> threads) {
  if (threads && *threads < 1) throw nb::value_error("threads must be >= 1 (None: every core)");
  nb::gil_scoped_release release;
  return tokenizer::EncodeBatch(tok, texts.bytes, threads ? *threads : 0);  // limits the threads itself
}

struct PyTokenizer {
  Tokenizer tok;
  std::string vocab_path;
};

}  // namespace

void BindTokenizer(nb::module_& m) {
  nb::class_<PyTokenizer> cls(m, "Tokenizer", kClassDoc);
  cls.def(
         "__init__",
         [](PyTokenizer* self, std::optional<std::filesystem::path> vocab) {
           std::string path = vocab ? vocab->string() : nb::cast<std::string>(nb::module_::import_("rwkvkit._paths").attr("default_vocab")());
           Tokenizer tok = ValueOrThrow(Tokenizer::Load(path));
           // A compiled file beside the vocab that was ignored (stale or damaged): say so.
           if (!tok.load_note().empty() && PyErr_WarnEx(PyExc_RuntimeWarning, tok.load_note().c_str(), 1) != 0)
             throw nb::python_error();
           new (self) PyTokenizer{std::move(tok), path};
         },
         nb::arg("vocab") = nb::none(),
         "Loads the vocab (``None``: the World vocab, see the class help); a RuntimeWarning when a\n"
         "compiled tokenizer file beside it is stale or damaged and the vocab is built instead.")
      .def(
          "encode",
          [](const PyTokenizer& self, nb::handle text) {
            TextView view(text);
            std::vector<uint16_t>& buf = Scratch();
            if (buf.size() < view.bytes().size()) buf.resize(view.bytes().size());
            const size_t n = EncodeView(self.tok, view.bytes(), buf.data());
            return IdsToList(buf.data(), n);
          },
          nb::arg("text"), nb::sig("def encode(self, text: str | bytes) -> list[int]"),
          "Token ids of ``text`` (a str is encoded as UTF-8; bytes and other bytes-like objects\n"
          "are taken as they are, invalid UTF-8 included).")
      .def(
          "encode_numpy",
          [](const PyTokenizer& self, nb::handle text, nb::handle out) -> nb::object {
            TextView view(text);
            const size_t cap = view.bytes().size();
            if (!out.is_none()) {
              auto arr = nb::cast<nb::ndarray<uint16_t, nb::ndim<1>, nb::c_contig>>(out);
              if (arr.shape(0) < cap)
                throw nb::value_error(absl::StrCat("out holds ", arr.shape(0), " ids; this text needs room for ", cap,
                                                   " (one per byte: a token is at least one byte)")
                                          .c_str());
              const size_t n = EncodeView(self.tok, view.bytes(), arr.data());
              return out[nb::slice(size_t{0}, n)];
            }
            // One id per byte at most; the block is then shrunk to the ids (realloc to a smaller
            // size keeps them where they are) and handed to the array, which frees it.
            std::unique_ptr<uint16_t, FreeDeleter> block(
                static_cast<uint16_t*>(std::malloc(std::max<size_t>(cap, 1) * sizeof(uint16_t))));
            if (block == nullptr) throw std::bad_alloc();
            const size_t n = EncodeView(self.tok, view.bytes(), block.get());
            if (n < cap) {
              if (void* shrunk = std::realloc(block.get(), std::max<size_t>(n, 1) * sizeof(uint16_t))) {
                (void)block.release();
                block.reset(static_cast<uint16_t*>(shrunk));
              }
            }
            uint16_t* ids = block.get();
            nb::capsule owner(ids, [](void* p) noexcept { std::free(p); });
            (void)block.release();
            return nb::cast(nb::ndarray<nb::numpy, uint16_t, nb::ndim<1>>(ids, {n}, owner));
          },
          nb::arg("text"), nb::arg("out") = nb::none(),
          nb::sig("def encode_numpy(self, text: str | bytes, out: numpy.ndarray | None = None) -> numpy.ndarray"),
          "Token ids of ``text`` as a numpy uint16 array, written where they stay: into a new\n"
          "array that owns the encoder's buffer, or into ``out`` (a uint16 array with room for\n"
          "one id per byte of the UTF-8), returning the view ``out[:n]``. No copy either way.")
      .def(
          "encode_batch",
          [](const PyTokenizer& self, nb::handle texts, std::optional<int> threads) {
            if (threads && *threads < 1) throw nb::value_error("threads must be >= 1 (None: every core)");
            const TextList list = GatherTexts(texts);
            return EncodeBatchToLists(self.tok, list.bytes, threads ? *threads : tbb::info::default_concurrency());
          },
          nb::arg("texts"), nb::arg("threads") = nb::none(),
          nb::sig("def encode_batch(self, texts: typing.Iterable[str | bytes], threads: int | None = None) -> list[list[int]]"),
          "Token ids of every text, encoded on ``threads`` threads (``None``: every core) with the\n"
          "GIL released while the calling thread makes the lists of the texts already encoded.\n"
          "The result does not depend on the thread count.")
      .def(
          "encode_batch_numpy",
          [](const PyTokenizer& self, nb::handle texts, std::optional<int> threads) {
            const TextList list = GatherTexts(texts);
            auto* batch = new tokenizer::EncodedBatch(RunBatch(self.tok, list, threads));
            nb::capsule owner(batch, [](void* p) noexcept { delete static_cast<tokenizer::EncodedBatch*>(p); });
            std::vector<uint64_t> offsets(batch->offsets.begin(), batch->offsets.end());
            auto* off = new std::vector<uint64_t>(std::move(offsets));
            nb::capsule off_owner = OwnVector(off);
            return std::make_tuple(
                nb::cast(nb::ndarray<nb::numpy, uint16_t, nb::ndim<1>>(batch->ids.data(), {batch->ids.size()}, owner)),
                nb::cast(nb::ndarray<nb::numpy, uint64_t, nb::ndim<1>>(off->data(), {off->size()}, off_owner)));
          },
          nb::arg("texts"), nb::arg("threads") = nb::none(),
          nb::sig("def encode_batch_numpy(self, texts: typing.Iterable[str | bytes], threads: int | None = None) -> "
                  "tuple[numpy.ndarray, numpy.ndarray]"),
          "Like ``encode_batch`` but flat: ``(ids, offsets)``, numpy uint16 and uint64 arrays;\n"
          "text i is ``ids[offsets[i]:offsets[i + 1]]``. The arrays own the encoder's output (no copy).")
      .def(
          "decode",
          [](const PyTokenizer& self, nb::handle ids, const char* errors) {
            const std::string bytes = DecodeToBytes(self.tok, ids);
            PyObject* s = PyUnicode_DecodeUTF8(bytes.data(), static_cast<Py_ssize_t>(bytes.size()), errors);
            if (s == nullptr) throw nb::python_error();
            return nb::steal<nb::str>(s);
          },
          nb::arg("ids"), nb::arg("errors") = "strict",
          nb::sig("def decode(self, ids: typing.Sequence[int] | numpy.ndarray, errors: str = 'strict') -> str"),
          "The text of ``ids`` (a list of ints or an integer array). The bytes are decoded as\n"
          "UTF-8 with ``errors`` as in ``bytes.decode``: ``'strict'`` raises UnicodeDecodeError\n"
          "when they are not valid UTF-8 (a token can end inside a character), ``'replace'``\n"
          "puts U+FFFD there. An id the vocab does not define raises ValueError.")
      .def(
          "decode_bytes",
          [](const PyTokenizer& self, nb::handle ids) {
            const std::string bytes = DecodeToBytes(self.tok, ids);
            return nb::bytes(bytes.data(), bytes.size());
          },
          nb::arg("ids"), nb::sig("def decode_bytes(self, ids: typing.Sequence[int] | numpy.ndarray) -> bytes"),
          "The bytes of ``ids``, concatenated (id 0 adds nothing).")
      .def(
          "token_bytes",
          [](const PyTokenizer& self, uint32_t id) {
            if (!self.tok.IsValidId(id))
              throw nb::value_error(absl::StrCat(id, " is not a token id of this vocab").c_str());
            const std::string_view b = self.tok.TokenBytes(id);
            return nb::bytes(b.data(), b.size());
          },
          nb::arg("id"), "The bytes of one token (``b''`` for id 0).")
      .def(
          "count_bytes",
          [](const PyTokenizer& self, nb::handle ids) {
            thread_local std::vector<uint16_t> buf;
            ReadIds(ids, buf);
            uint64_t total = 0;
            for (uint16_t id : buf) total += self.tok.TokenLength(id);
            return total;
          },
          nb::arg("ids"), nb::sig("def count_bytes(self, ids: typing.Sequence[int] | numpy.ndarray) -> int"),
          "The number of bytes ``ids`` decode to: the denominator of bits per byte.")
      .def_prop_ro(
          "token_lengths",
          [](const PyTokenizer& self) {
            auto* lengths = new std::vector<uint8_t>(self.tok.vocab_size());
            for (size_t i = 0; i < lengths->size(); ++i) (*lengths)[i] = static_cast<uint8_t>(self.tok.TokenLength(i));
            nb::capsule owner = OwnVector(lengths);
            return nb::cast(nb::ndarray<nb::numpy, uint8_t, nb::ndim<1>>(lengths->data(), {lengths->size()}, owner));
          },
          nb::sig("def token_lengths(self) -> numpy.ndarray"),
          "Byte length of every token id (numpy uint8, ``vocab_size`` entries; 0 for id 0 and\n"
          "undefined ids): ``token_lengths[ids].sum()`` is the byte count for bits per byte.")
      .def_prop_ro("vocab_size", [](const PyTokenizer& self) { return self.tok.vocab_size(); },
                   "One past the largest id (65530 for the World vocab; RWKV models have 65536 rows).")
      .def_prop_ro("num_entries", [](const PyTokenizer& self) { return self.tok.num_entries(); },
                   "Entries in the vocab file (65529 for the World vocab).")
      .def_prop_ro("max_token_bytes", [](const PyTokenizer& self) { return self.tok.max_token_bytes(); },
                   "Length of the longest token in bytes (128 for the World vocab).")
      .def_prop_ro("vocab_path", [](const PyTokenizer& self) { return self.vocab_path; },
                   "The vocab file this tokenizer was loaded from.")
      .def("is_valid_id", [](const PyTokenizer& self, uint32_t id) { return self.tok.IsValidId(id); }, nb::arg("id"),
           "Whether ``id`` is 0 or defined by the vocab.")
      .def("__repr__",
           [](const PyTokenizer& self) {
             return absl::StrCat("rwkvkit.Tokenizer(vocab='", self.vocab_path, "', vocab_size=", self.tok.vocab_size(), ")");
           })
      .def("__getstate__", [](const PyTokenizer& self) { return std::make_tuple(self.vocab_path); })
      .def("__setstate__", [](PyTokenizer* self, const std::tuple<std::string>& state) {
        new (self) PyTokenizer{ValueOrThrow(Tokenizer::Load(std::get<0>(state))), std::get<0>(state)};
      });
}

}  // namespace rwkvkit::python
