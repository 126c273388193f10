#!/usr/bin/env python3
"""tools/dev/random_world_model.py — a random RWKV-6 checkpoint with the World vocab size.

Writes a .safetensors file (BlinkDL key names, docs/formats/checkpoints.md) with random weights and
V = 65536, so that `rwkvkit eval` can be shown end to end on the demo build without an official
checkpoint (which cannot be downloaded here). Its perplexity means nothing (random weights); the
command, protocol and outputs are what the example shows. numpy only.

  .rwkvkit/venv/bin/python tools/dev/random_world_model.py OUT.safetensors [--layers 2] [--embd 64]
"""

import argparse
import json
import struct

import numpy as np


def tensors(L, D, V, seed):
    rng = np.random.default_rng(seed)
    H, N = max(1, D // 64), min(64, D)
    F, Dm, Dd = int(D * 3.5) // 32 * 32, 8, 16
    t = {"emb.weight": rng.uniform(-1e-1, 1e-1, (V, D)), "blocks.0.ln0.weight": np.ones(D), "blocks.0.ln0.bias": np.zeros(D),
         "ln_out.weight": np.ones(D), "ln_out.bias": np.zeros(D), "head.weight": rng.normal(0, D ** -0.5, (V, D))}
    for l in range(L):
        p = f"blocks.{l}."
        t[p + "ln1.weight"] = np.ones(D); t[p + "ln1.bias"] = np.zeros(D)
        t[p + "ln2.weight"] = np.ones(D); t[p + "ln2.bias"] = np.zeros(D)
        for m in "xwkvrg":
            t[p + f"att.time_maa_{m}"] = rng.uniform(0, 1, (1, 1, D))
        t[p + "att.time_maa_w1"] = rng.normal(0, 0.01, (D, 5 * Dm))
        t[p + "att.time_maa_w2"] = rng.normal(0, 0.01, (5, Dm, D))
        t[p + "att.time_decay"] = rng.uniform(-6, 0, (1, 1, D))
        t[p + "att.time_decay_w1"] = rng.normal(0, 0.01, (D, Dd))
        t[p + "att.time_decay_w2"] = rng.normal(0, 0.01, (Dd, D))
        t[p + "att.time_faaaa"] = rng.uniform(-0.5, 0.5, (H, N))
        for m in ("receptance", "key", "value", "gate"):
            t[p + f"att.{m}.weight"] = rng.normal(0, D ** -0.5, (D, D))
        t[p + "att.output.weight"] = rng.normal(0, D ** -0.5, (D, D))
        t[p + "att.ln_x.weight"] = np.ones(D); t[p + "att.ln_x.bias"] = np.zeros(D)
        t[p + "ffn.time_maa_k"] = rng.uniform(0, 1, (1, 1, D)); t[p + "ffn.time_maa_r"] = rng.uniform(0, 1, (1, 1, D))
        t[p + "ffn.key.weight"] = rng.normal(0, D ** -0.5, (F, D))
        t[p + "ffn.receptance.weight"] = rng.normal(0, D ** -0.5, (D, D))
        t[p + "ffn.value.weight"] = rng.normal(0, F ** -0.5, (D, F))
    return t


def write_safetensors(path, ts):
    header, blobs, offset = {}, [], 0
    for name, a in ts.items():
        b = np.ascontiguousarray(a, dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h)
        for b in blobs:
            f.write(b)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--embd", type=int, default=64)
    ap.add_argument("--seed", type=int, default=6)
    a = ap.parse_args()
    write_safetensors(a.out, tensors(a.layers, a.embd, 65536, a.seed))


if __name__ == "__main__":
    main()
