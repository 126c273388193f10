// tools/compile_vocab.cc — `rwkvkit_compile_vocab [--skip-missing] VOCAB`: writes the compiled
// tokenizer file VOCAB.compiled (tokenizer.h Tokenizer::CompiledPath) that Tokenizer::Load()
// takes instead of parsing and building the vocab. The build runs it on the vocab it copies
// into share/rwkvkit/ (and into the Python package); docs/formats/compiled_vocab.md.
//
// Does nothing when the compiled file already matches the vocab. --skip-missing: a missing
// vocab is not an error (the build works before tools/setup.sh fetched it). Exit 0 on
// success, 1 on an unreadable or invalid vocab or a failed write (the old file is intact).
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>

#include "base/file_io.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/vocab.h"

namespace {

int Fail(const absl::Status& s) {
  std::fprintf(stderr, "rwkvkit_compile_vocab: %s\n", std::string(s.message()).c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  bool skip_missing = false;
  std::filesystem::path vocab;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--skip-missing") skip_missing = true;
    else if (vocab.empty() && !a.starts_with("-")) vocab = a;
    else vocab.clear(), i = argc;
  }
  if (vocab.empty()) {
    std::fprintf(stderr, "usage: rwkvkit_compile_vocab [--skip-missing] VOCAB\n");
    return 2;
  }
  std::error_code ec;
  if (skip_missing && !std::filesystem::exists(vocab, ec)) return 0;
  absl::StatusOr<rwkvkit::tokenizer::Tokenizer> current = rwkvkit::tokenizer::Tokenizer::Load(vocab);
  if (!current.ok()) return Fail(current.status());
  if (current->loaded_compiled()) return 0;  // up to date
  absl::StatusOr<std::string> contents = rwkvkit::tokenizer::ReadVocabFile(vocab);
  if (!contents.ok()) return Fail(contents.status());
  absl::StatusOr<std::string> compiled = rwkvkit::tokenizer::Tokenizer::Compile(*contents, vocab.string());
  if (!compiled.ok()) return Fail(compiled.status());
  const std::filesystem::path out = rwkvkit::tokenizer::Tokenizer::CompiledPath(vocab);
  if (absl::Status s = rwkvkit::base::WriteFileAtomically(out, *compiled); !s.ok()) return Fail(s);
  std::printf("%s: %zu bytes\n", out.string().c_str(), compiled->size());
  return 0;
}
