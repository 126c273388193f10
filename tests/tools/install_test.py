#!/usr/bin/env python3
"""tests/tools/install_test.py — a relocatable install: `cmake --install` into a temporary
prefix, the prefix moved elsewhere, and the moved rwkvkit still works (RWKVKIT_VOCAB unset, no --vocab):
  (a) --version, and share/rwkvkit/ holds the World vocab and its compiled tokenizer file;
  (b) `tokenize` gives the official `rwkv` package's TRIE_TOKENIZER ids (vocab found beside the
      binary), with no note that the compiled file was ignored;
  (c) no path of the build or source tree in the binary (--sanitized: of the build tree only);
  (d) with the CUDA plugin: installed under lib/rwkvkit/, and `eval --device cuda` loads it (then
      fails on the missing model, not on the plugin);
  (e) the docs under share/doc/rwkvkit/;
  (f) the commands plugin under lib/rwkvkit/ runs `build --help`, and the binary maps none of
      Arrow, Parquet, ICU, CLD2, OpenBLAS (ldd), so `tokenize` starts without them.
Exit status 1 on failure. Usage:
  install_test.py --cmake cmake --build-dir build --source-dir . --vocab VOCAB [--sanitized]
"""

import argparse
import os
import shutil
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import testlib  # noqa: E402

check = testlib.Checks()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cmake", required=True)
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--source-dir", required=True)
    ap.add_argument("--vocab", required=True)
    ap.add_argument("--sanitized", action="store_true", help="a -DRWKVKIT_SANITIZE=ON build")
    args = ap.parse_args()
    from rwkv.rwkv_tokenizer import TRIE_TOKENIZER
    tok = TRIE_TOKENIZER(args.vocab)
    env = {k: v for k, v in os.environ.items() if k != "RWKVKIT_VOCAB"}
    with tempfile.TemporaryDirectory() as tmp:
        first, moved = os.path.join(tmp, "first"), os.path.join(tmp, "elsewhere", "rwkvkit")
        r = testlib.run([args.cmake, "--install", args.build_dir, "--prefix", first], text=True, timeout=600)
        if r.returncode != 0:
            print(r.stdout + r.stderr, file=sys.stderr)
            return 1
        os.makedirs(os.path.dirname(moved))
        shutil.move(first, moved)
        exe = os.path.join(moved, "bin", "rwkvkit")

        r = testlib.run([exe, "--version"], text=True, env=env)
        check(r.returncode == 0 and r.stdout.startswith("rwkvkit "), f"--version: rc {r.returncode} {r.stderr!r}")
        vocab = os.path.join(moved, "share", "rwkvkit", "rwkv_vocab_v20230424.txt")
        check(os.path.isfile(vocab), "no share/rwkvkit/rwkv_vocab_v20230424.txt")
        check(os.path.isfile(vocab + ".compiled"), "no share/rwkvkit/rwkv_vocab_v20230424.txt.compiled")
        for text in ["Hello world", "Ünïcödé ✓ 中文 text\nwith two lines", ""]:
            r = testlib.run([exe, "tokenize"], stdin=text.encode(), env=env)
            want = " ".join(map(str, tok.encode(text))) + "\n"
            check(r.returncode == 0 and r.stdout.decode() == want, f"tokenize {text!r}: rc {r.returncode} {r.stdout!r} {r.stderr!r}")
            check(b"ignored" not in r.stderr, f"tokenize ignored the compiled file: {r.stderr!r}")

        plugin = os.path.join(moved, "lib", "rwkvkit", "librwkvkit_commands.so")
        check(os.path.isfile(plugin), "no lib/rwkvkit/librwkvkit_commands.so")
        r = testlib.run([exe, "build", "--help"], text=True, env=env)
        check(r.returncode == 0 and r.stdout.startswith("usage: rwkvkit build"),
              f"build --help through the moved plugin: rc {r.returncode} {r.stderr!r}")
        r = testlib.run(["ldd", exe], text=True)
        heavy = [lib for lib in ("libarrow", "libparquet", "libicu", "libcld2", "libopenblas")
                 if lib in r.stdout]
        check(r.returncode == 0 and not heavy, f"bin/rwkvkit loads {heavy} (only the commands plugin may): {r.stdout!r}")

        trees = {os.path.realpath(args.build_dir), os.path.abspath(args.build_dir)}
        if not args.sanitized:
            trees |= {os.path.realpath(args.source_dir), os.path.abspath(args.source_dir)}
        for path in (exe, plugin):
            with open(path, "rb") as f:
                blob = f.read()
            for tree in trees:
                check(tree.encode() not in blob, f"the installed {os.path.basename(path)} holds the path {tree}")

        require_gpu = os.environ.get("RWKVKIT_REQUIRE_GPU", "0") not in ("", "0")
        check(not require_gpu or os.path.exists(os.path.join(args.build_dir, "lib", "rwkvkit", "librwkvkit_cuda.so")),
              "RWKVKIT_REQUIRE_GPU is set but the build has no CUDA plugin (lib/rwkvkit/librwkvkit_cuda.so)")
        if os.path.exists(os.path.join(args.build_dir, "lib", "rwkvkit", "librwkvkit_cuda.so")):
            check(os.path.isfile(os.path.join(moved, "lib", "rwkvkit", "librwkvkit_cuda.so")), "the CUDA plugin is not installed")
            data = os.path.join(tmp, "data")
            os.makedirs(data)
            r = testlib.run([exe, "eval", "--device", "cuda", "--model", os.path.join(tmp, "none.pth"), "--data", data],
                            text=True, env=env)
            check(r.returncode != 0 and "CUDA plugin" not in r.stderr and "none.pth" in r.stderr,
                  f"eval --device cuda did not load the installed plugin: {r.stderr!r}")
        check(os.path.isfile(os.path.join(moved, "share", "doc", "rwkvkit", "cli.md")), "no share/doc/rwkvkit/cli.md")
    return check.finish("install_test")


if __name__ == "__main__":
    sys.exit(main())
