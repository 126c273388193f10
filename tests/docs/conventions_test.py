#!/usr/bin/env python3
"""tests/docs/conventions_test.py — the written rules of docs/conventions.md that a reader of the
files can check: every source file's banner (the comment block or module docstring it opens with:
C++, CUDA, Python, shell, CMake) is at most 15 lines, and no file of the tree names the project's
coordination notes outside the repository (`../shared`, shared/DESIGN.md, shared/STYLE.md) or an
issue number ("issue 13", "issue #13"): the project explains itself from its own files. Reads
files only: `python3 tests/docs/conventions_test.py [--root DIR]`."""

import argparse
import ast
import os
import re
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from architecture_test import tracked_files  # noqa: E402

MAX_BANNER = 15
CODE = {".h": "//", ".cc": "//", ".cu": "//", ".cuh": "//", ".py": "#", ".sh": "#", ".cmake": "#"}
OUTSIDE = re.compile(r"\.\./shared\b|\bshared/(?:DESIGN|STYLE)\.md")
ISSUE = re.compile(r"\bissues? #?\d+(?![\d.])", re.I)
TEXT = set(CODE) | {".md", ".txt", ".json", ".toml", ".in"}


def banner_lines(path, text):
    """Lines of the banner of `text` (a file named `path`)."""
    ext = os.path.splitext(path)[1]
    if ext == ".py":
        try:
            module = ast.parse(text)
        except SyntaxError:
            return 0
        if ast.get_docstring(module, clean=False) is not None:
            return module.body[0].end_lineno - module.body[0].lineno + 1
    lines = text.split("\n")
    prefix = CODE.get(ext, "#")
    i = 1 if lines and lines[0].startswith("#!") else 0
    n = 0
    while i + n < len(lines) and lines[i + n].startswith(prefix) and not lines[i + n].startswith("#include"):
        n += 1
    return n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    root = os.path.abspath(ap.parse_args().root)
    problems, banners = [], 0
    for f in tracked_files(root):
        ext = os.path.splitext(f)[1]
        name = os.path.basename(f)
        if ext not in TEXT and name != "CMakeLists.txt":
            continue
        try:
            with open(os.path.join(root, f), encoding="utf-8") as fh:
                text = fh.read()
        except (UnicodeDecodeError, OSError):
            continue
        if ext in CODE or name == "CMakeLists.txt":
            banners += 1
            n = banner_lines(f, text)
            if n > MAX_BANNER:
                problems.append(f"{f}: a banner of {n} lines (at most {MAX_BANNER}: the contract; history and "
                                "measurements belong in docs/)")
        if f == "tests/docs/conventions_test.py":
            continue  # names the patterns it looks for
        for no, line in enumerate(text.split("\n"), 1):
            for pattern, what in ((OUTSIDE, "a file outside the repository"), (ISSUE, "an issue number")):
                m = pattern.search(line)
                if m:
                    problems.append(f"{f}:{no}: names {what} ({m.group(0)!r})")
    for p in problems:
        print(p, file=sys.stderr)
    print(f"{banners} banners checked: {'ok' if not problems else str(len(problems)) + ' problem(s)'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
