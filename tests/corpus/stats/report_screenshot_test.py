#!/usr/bin/env python3
"""tests/corpus/stats/report_screenshot_test.py — report.html renders in headless Chromium.

Builds a small corpus (slices of the demo corpus), writes its report with `rwkvkit stats`,
takes a 1280x2000 screenshot of report.html with Debian's `chromium --headless`, and checks
the PNG with the standard library only (zlib): a valid PNG (signature, IHDR, CRCs, IEND), of
the requested size, and not blank: many distinct colours, the chart colours of the sources and
languages present, and a good share of non-background pixels. Exits 77 (ctest SKIP) when
chromium is not installed. With --keep PATH the screenshot is copied there to look at.
"""

import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import testlib  # noqa: E402

SKIP = 77


def read_png(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG (bad signature)")
    pos, chunks = 8, []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        if zlib.crc32(kind + body) != crc:
            raise ValueError(f"bad CRC in chunk {kind!r}")
        chunks.append((kind, body))
        pos += 12 + length
    if chunks[0][0] != b"IHDR" or chunks[-1][0] != b"IEND":
        raise ValueError("IHDR/IEND missing")
    width, height, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    if depth != 8 or ctype not in (2, 6) or interlace:
        raise ValueError(f"unsupported PNG layout depth={depth} type={ctype} interlace={interlace}")
    raw = zlib.decompress(b"".join(b for k, b in chunks if k == b"IDAT"))
    return width, height, ctype, raw


def unfilter(width, height, bpp, raw):
    stride = width * bpp
    rows, prev, pos = [], bytearray(stride), 0
    for _ in range(height):
        ftype, line = raw[pos], bytearray(raw[pos + 1:pos + 1 + stride])
        pos += 1 + stride
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 255
            elif ftype == 2:
                line[i] = (line[i] + b) & 255
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return rows


def main():
    ap = testlib.arg_parser(__doc__)
    ap.add_argument("--demo-dir", required=True)
    ap.add_argument("--keep")
    args = ap.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        print("chromium is not installed (tools/setup.sh installs it): skipped")
        return SKIP
    with tempfile.TemporaryDirectory(prefix="rwkvkit_shot_") as tmp:
        srcs = []
        for name, n in (("gnome-user-docs", 200), ("debian-handbook", 80), ("unicode-cldr-core", 60), ("python-stdlib", 40)):
            path = os.path.join(tmp, name + ".jsonl")
            with open(os.path.join(args.demo_dir, name + ".jsonl"), encoding="utf-8") as f, open(path, "w") as g:
                for k, line in zip(range(n), f):
                    g.write(line)
            srcs.append({"name": name, "paths": [path], "format": "jsonl", "license": "test",
                         "language": "code:python" if name == "python-stdlib" else None})
        manifest = os.path.join(tmp, "m.json")
        with open(manifest, "w") as f:
            json.dump({"name": "shot", "sources": srcs, "output": {"dir": "out", "shard_tokens": 100000, "ctx_len": 512}}, f)
        out, rdir = os.path.join(tmp, "out"), os.path.join(tmp, "report")
        subprocess.run([args.rwkvkit, "build", "--manifest", manifest, "--out", out, "--vocab", args.vocab, "--no-progress"],
                       check=True, stdout=subprocess.DEVNULL)
        subprocess.run([args.rwkvkit, "stats", out, "--out", rdir, "--vocab", args.vocab, "--no-progress"], check=True,
                       stdout=subprocess.DEVNULL)
        shot = os.path.join(tmp, "shot.png")
        cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
               f"--user-data-dir={os.path.join(tmp, 'profile')}", f"--screenshot={shot}", "--window-size=1280,2000",
               "file://" + os.path.join(rdir, "report.html")]
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
        if r.returncode != 0 or not os.path.exists(shot):
            print("FAIL: chromium did not write a screenshot:\n" + r.stdout.decode(errors="replace")[-2000:])
            return 1
        if args.keep:
            shutil.copy(shot, args.keep)
        width, height, ctype, raw = read_png(shot)
    failures = []
    if (width, height) != (1280, 2000):
        failures.append(f"screenshot is {width}x{height}, want 1280x2000")
    bpp = 4 if ctype == 6 else 3
    rows = unfilter(width, height, bpp, raw)
    colours, background = {}, 0
    for row in rows[::4]:
        for x in range(0, width * bpp, bpp * 4):
            px = row[x:x + 3]
            colours[px] = colours.get(px, 0) + 1
    total = sum(colours.values())
    common = max(colours.values())
    if len(colours) < 50:
        failures.append(f"only {len(colours)} distinct colours: blank or unstyled page")
    if common / total > 0.9:
        failures.append(f"{100 * common / total:.0f}% of the page is one colour")
    for name, rgb in (("source bars", (0x0F, 0x76, 0x6E)), ("language bars", (0x4F, 0x46, 0xE5))):
        if colours.get(bytes(rgb), 0) < 20:
            failures.append(f"no {name} (#{bytes(rgb).hex()}) in the screenshot")
    for f in failures:
        print("FAIL:", f)
    print(f"screenshot {width}x{height}, {len(colours)} colours, most common {100 * common / total:.0f}%")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
