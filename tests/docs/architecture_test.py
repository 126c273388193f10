#!/usr/bin/env python3
"""tests/docs/architecture_test.py — docs/architecture.md against the source tree: every CMake
target (add_library, add_executable, add_custom_target, nanobind's module and stub) is named
in backticks, every backticked `rwkvkit_*` name is a target, and each row of the target table
names the target's rwkvkit_* link dependencies; no library source includes a header of a later
row (dependencies point one way, in the table's order); every folder (three levels deep) is in
the section "The tree" and every folder that section names exists; every backticked path into
the tree exists. Reads files only (no build, no configure):
`python3 tests/docs/architecture_test.py [--root DIR]`."""

import argparse
import fnmatch
import os
import re
import subprocess
import sys

TARGET_RE = re.compile(r"^\s*(?:add_library|add_executable|add_custom_target|nanobind_add_module|nanobind_add_stub)"
                       r"\(\s*([A-Za-z0-9_${}]+)", re.M)
SKIP_DIRS = {".git", ".rwkvkit", "__pycache__", "devwork"}


def tracked_files(root):
    """The files of the tree as git sees it: tracked or not ignored, and present (a new file not
    yet added counts, a deleted one does not), but none under SKIP_DIRS (devwork/: what a device
    run carries beside the tree) or a hidden folder but .ci/; without git, every file but the
    build folders (build*/ at the top), set-up products and hidden folders."""
    try:
        out = subprocess.run(["git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                             capture_output=True, check=True).stdout
        files = sorted({f for f in out.decode().split("\0")
                        if f and f.split("/")[0] not in SKIP_DIRS and os.path.isfile(os.path.join(root, f)) and
                        not (f.startswith(".") and "/" in f and not f.startswith(".ci/"))})
        if files:
            return files
    except (OSError, subprocess.CalledProcessError):
        pass
    files = []
    for d, dirs, names in os.walk(root):
        top = os.path.abspath(d) == root
        dirs[:] = [x for x in dirs if x not in SKIP_DIRS and not (top and x.startswith("build")) and
                   not (x.startswith(".") and x != ".ci")]
        files += [os.path.relpath(os.path.join(d, n), root) for n in names]
    return files


def cmake_targets(root, files):
    targets = set()
    for f in files:
        if os.path.basename(f) == "CMakeLists.txt" or f.endswith(".cmake"):
            with open(os.path.join(root, f), encoding="utf-8") as fh:
                targets.update(TARGET_RE.findall(fh.read()))
    # fuzz_${name}: the doc names the family `fuzz_*`.
    return {t.replace("${name}", "*") for t in targets}


def cmake_links(root, files):
    """{target: the rwkvkit_* targets its target_link_libraries name}."""
    links = {}
    for f in files:
        if os.path.basename(f) == "CMakeLists.txt" or f.endswith(".cmake"):
            with open(os.path.join(root, f), encoding="utf-8") as fh:
                for m in re.finditer(r"target_link_libraries\(\s*(\w+)(.*?)\)", fh.read(), re.S):
                    links.setdefault(m.group(1), set()).update(re.findall(r"\brwkvkit_\w+", m.group(2)))
    return links


# Named once for every layer (base) or among the interface and imported targets, not per row.
NOT_PER_ROW = {"rwkvkit_base", "rwkvkit_hwy_headers", "rwkvkit_openblas", "rwkvkit_arrow_parquet"}


def table_dependencies(doc, links):
    """Problems of the target table: a target's rwkvkit_* link dependency that its row's
    "depends on" cell does not name (as rwkvkit_x, x, or x without corpus_/refmodel_)."""
    problems = []
    for m in re.finditer(r"^\| `(rwkvkit_\w+)`[^|]*\|[^|]*\| (.*) \|$", doc, re.M):
        target, cell = m.group(1), m.group(2).split(" — ")[0]
        if cell.startswith("everything"):
            continue
        for dep in sorted(links.get(target, set()) - NOT_PER_ROW - {target}):
            short = dep[len("rwkvkit_"):]
            names = {dep, short, re.sub(r"^(corpus|refmodel)_", "", short)}
            if not any(re.search(r"(?<![\w])" + re.escape(n) + r"(?![\w])", cell) for n in names):
                problems.append(f"the row of {target} does not name its dependency {dep}")
    return problems


def include_order(root, files, doc):
    """Problems of the layering: a source of a library row (the rows up to the Python extension's)
    that includes a header of a later row. A file belongs to the row whose folder cell pattern
    matches it most closely (`tokenizer/batch_encoder.*` before `tokenizer/`)."""
    rows, names = [], []
    for i, m in enumerate(re.finditer(r"^\| `(rwkvkit\w*)`[^|]*\| ([^|]*) \|", doc, re.M)):
        names.append(m.group(1))
        rows += [(p + "*" if p.endswith("/") else p, i) for p in re.findall(r"`([^`]+/[^`]*)`", m.group(2))]
    rows.sort(key=lambda r: (-len(r[0]), r[1]))

    def row_of(path):
        return next((i for p, i in rows if fnmatch.fnmatch(path, p)), None)

    last = names.index("rwkvkit_python") if "rwkvkit_python" in names else len(names)
    problems = []
    for f in files:
        r = row_of(f) if f.endswith((".h", ".cc", ".cu", ".cuh")) else None
        if r is None or r >= last:
            continue
        with open(os.path.join(root, f), encoding="utf-8") as fh:
            for inc in re.findall(r'^\s*#\s*include\s+"([^"]+)"', fh.read(), re.M):
                ri = row_of(inc)
                if ri is not None and ri > r:
                    problems.append(f"{f} ({names[r]}) includes {inc} of a later row ({names[ri]})")
    return problems


def tree_section(doc):
    m = re.search(r"^## The tree\n.*?```\n(.*?)```", doc, re.M | re.S)
    assert m, "docs/architecture.md: no section \"The tree\" with a code block"
    return m.group(1)


def tree_entries(tree):
    """{top folder: the text of its entry (its line and the indented lines under it)}."""
    entries, current = {}, None
    for line in tree.splitlines():
        m = re.match(r"^(\.?[A-Za-z0-9_]+)/", line)
        if m:
            current = m.group(1)
            entries[current] = ""
        if current:
            entries[current] += line + "\n"
    return entries


def folder_named(entry, parts):
    """Whether the entry names the folder parts[0]/.../parts[-1] below its top folder: each
    component as "name/" (or "<folder>/", standing for any folder it mirrors)."""
    for depth in range(1, len(parts)):
        token = parts[depth] + "/"
        if re.search(r"(^|[\s(/,])" + re.escape(token), entry):
            continue
        if depth == 2 and re.search(re.escape(parts[1]) + r"/<folder>/", entry):
            continue
        return False
    return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    root = os.path.abspath(ap.parse_args().root)
    with open(os.path.join(root, "docs", "architecture.md"), encoding="utf-8") as fh:
        doc = fh.read()
    files = tracked_files(root)
    problems = []

    targets = cmake_targets(root, files)
    named = set(re.findall(r"`([A-Za-z0-9_*]+)`", doc))
    problems += [f"target {t} (CMakeLists) is not named in backticks" for t in sorted(targets - named)]
    problems += [f"`{t}` is not a target of any CMakeLists.txt" for t in sorted(named)
                 if t.startswith("rwkvkit_") and t not in targets]

    problems += table_dependencies(doc, cmake_links(root, files))
    problems += include_order(root, files, doc)

    entries = tree_entries(tree_section(doc))
    folders = sorted({os.path.dirname(f) for f in files} - {""})
    all_folders = set()
    for f in folders:
        parts = f.split("/")
        all_folders.update("/".join(parts[:k]) for k in range(1, min(len(parts), 3) + 1))
    for f in sorted(all_folders):
        parts = f.split("/")
        if parts[0] not in entries:
            problems.append(f"folder {f}/ is not in \"The tree\"")
        elif not folder_named(entries[parts[0]], parts):
            problems.append(f"folder {f}/ is not in the \"The tree\" entry of {parts[0]}/")
    for top, entry in entries.items():
        if top not in all_folders:
            problems.append(f"\"The tree\" names {top}/, which is not a folder")
            continue
        below = {c for f in all_folders if f.startswith(top + "/") for c in f.split("/")[1:]} | all_folders
        text = entry[len(top) + 1:]
        for token in re.findall(r"(?<![A-Za-z0-9_])[a-z0-9_.<>*-]+/[A-Za-z0-9_.<>*/-]*", text):
            parts = token.split("/")
            for name in parts[:-1]:  # the last part is a file name, or empty after a folder's "/"
                if "<" not in name and name not in below:
                    problems.append(f"\"The tree\" names {name}/ under {top}/, which has no such folder")

    tops = {f.split("/")[0] for f in all_folders}
    for path in sorted(set(re.findall(r"`([A-Za-z0-9_.*/-]+/[A-Za-z0-9_.*/-]*)`", doc))):
        if path.split("/")[0] not in tops:
            continue  # an install or build path (bin/, lib/, share/)
        pattern = path.rstrip("/")
        if not any(fnmatch.fnmatch(x, pattern) or x.startswith(pattern + "/") for x in files):
            problems.append(f"`{path}` names nothing in the tree")

    for p in problems:
        print(f"docs/architecture.md: {p}", file=sys.stderr)
    print(f"{len(targets)} targets, {len(all_folders)} folders checked: "
          f"{'ok' if not problems else str(len(problems)) + ' problem(s)'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
