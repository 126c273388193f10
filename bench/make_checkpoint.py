#!/usr/bin/env python3
"""bench/make_checkpoint.py — a random RWKV-6 or RWKV-7 checkpoint of a released shape, written as
torch.save writes it (ZIP of stored entries, data 64-byte aligned, protocol-2 pickle of an
OrderedDict of torch._utils._rebuild_tensor_v2 calls), with numpy alone: no PyTorch needed.
For the load-time benchmark (bench/checkpoint_load_bench.cc) on machines without PyTorch.

  python3 bench/make_checkpoint.py OUT.pth [--version 6|7] [--layers 24] [--width 2048]
                                   [--vocab 65536] [--dtype bf16|fp16|fp32] [--seed 1]

Defaults: Finch-1.6B (v6, L=24, D=2048, F=7168, V=65536, Dm=32, Dd=64: 3.2 GB in bf16); v7 with
--width 2048 is the RWKV-7 1.5B shape (F=8192, LoRA ranks w/a/v/g 96/96/64/256). Values: normal
or uniform draws at shapes()'s scales (O(1) activations) rounded to the dtype: the same spec the GPU
benches (bench/gpu_eval_bench.py) draw with torch. Official (BlinkDL) key names and shapes,
docs/formats/checkpoints.md.
"""
import argparse
import collections
import math
import pickle
import sys
import types
import zipfile

import numpy as np

HEAD = 64


# torch's pickled names without torch: stand-in objects that pickle as the same GLOBALs.
def _install_fake_torch():
    torch = types.ModuleType("torch")
    utils = types.ModuleType("torch._utils")
    for name in ("BFloat16Storage", "HalfStorage", "FloatStorage"):
        setattr(torch, name, type(name, (), {"__module__": "torch", "__qualname__": name}))

    def _rebuild_tensor_v2(*args):  # never called: only its name is pickled
        raise RuntimeError("stand-in")

    _rebuild_tensor_v2.__module__ = "torch._utils"
    _rebuild_tensor_v2.__qualname__ = "_rebuild_tensor_v2"
    utils._rebuild_tensor_v2 = _rebuild_tensor_v2
    torch._utils = utils
    sys.modules.setdefault("torch", torch)
    sys.modules.setdefault("torch._utils", utils)
    return torch, utils


STORAGE = {"bf16": "BFloat16Storage", "fp16": "HalfStorage", "fp32": "FloatStorage"}


class _Storage:
    def __init__(self, key, numel, kind):
        self.key, self.numel, self.kind = key, numel, kind


class _Tensor:
    def __init__(self, storage, shape, rebuild):
        self.storage, self.shape, self.rebuild = storage, shape, rebuild

    def __reduce__(self):
        stride, s = [], 1
        for d in reversed(self.shape):
            stride.insert(0, s)
            s *= d
        return (self.rebuild, (self.storage, 0, tuple(self.shape), tuple(stride), False, collections.OrderedDict()))


class _Pickler(pickle.Pickler):
    def __init__(self, f, torch):
        super().__init__(f, protocol=2)
        self.torch = torch

    def persistent_id(self, obj):
        if isinstance(obj, _Storage):
            return ("storage", getattr(self.torch, STORAGE[obj.kind]), obj.key, "cpu", obj.numel)
        return None


def shapes(version, L, D, V, F=None, Dm=None, Dd=None, ranks=None):
    """The random model: [(name, shape, init)] in the order RWKV-LM saves the tensors; init is
    ('normal', mean, std) or ('uniform', lo, hi). Official (BlinkDL) names and shapes. Sizes not
    given are the released models': v6 F = 3.5 D, Dm/Dd = 32/64 (64/128 at D = 4096); v7 F = 4 D,
    LoRA ranks w/a/v/g 96/96/64/256 at D = 2048, else RWKV-LM's defaults (2.5/2.5/1.7/5 x sqrt(D),
    rounded to 32). v7 has layer 0's att.v0/v1/v2, as RWKV-LM saves them (never used). Scales keep
    the activations O(1) through 24 layers and the logits' spread near 2, so that the per-token NLL
    depends on the whole network (the GPU benches draw the same spec with torch)."""
    H = D // HEAD
    lin = lambda fan_in, gain=1.0: ("normal", 0.0, gain / math.sqrt(fan_in))  # noqa: E731
    nrm = lambda std, mean=0.0: ("normal", mean, std)  # noqa: E731
    uni = lambda lo=0.0, hi=1.0: ("uniform", lo, hi)  # noqa: E731
    one, small = nrm(0.1, 1.0), nrm(0.1)
    if version == 6:
        F = F or D * 7 // 2
        Dm = Dm or (64 if D == 4096 else 32)
        Dd = Dd or (128 if D == 4096 else 64)
    else:
        F = F or 4 * D
        if ranks is None:
            r = lambda f: max(32, round(f * math.sqrt(D) / 32) * 32)  # noqa: E731
            ranks = (96, 96, 64, 256) if D == 2048 else (r(2.5), r(2.5), r(1.7), r(5.0))
        rw, ra, rv, rg = ranks
    out = [("emb.weight", (V, D), nrm(0.5))]
    for i in range(L):
        p = f"blocks.{i}."
        if i == 0:
            out += [(p + "ln0.weight", (D,), one), (p + "ln0.bias", (D,), small)]
        out += [(p + "ln1.weight", (D,), one), (p + "ln1.bias", (D,), small),
                (p + "ln2.weight", (D,), one), (p + "ln2.bias", (D,), small)]
        a, f = p + "att.", p + "ffn."
        if version == 6:
            out += [(a + f"time_maa_{c}", (1, 1, D), uni()) for c in "xwkvrg"]
            out += [(a + "time_maa_w1", (D, 5 * Dm), nrm(0.02)), (a + "time_maa_w2", (5, Dm, D), nrm(0.05)),
                    (a + "time_decay_w1", (D, Dd), nrm(0.02)), (a + "time_decay_w2", (Dd, D), nrm(0.05)),
                    (a + "time_decay", (1, 1, D), uni(-6.0, 0.5)), (a + "time_faaaa", (H, HEAD), nrm(0.3))]
            out += [(a + n + ".weight", (D, D), lin(D)) for n in ("receptance", "key", "value")]
            out += [(a + "output.weight", (D, D), lin(D, 0.5)), (a + "gate.weight", (D, D), lin(D)),
                    (a + "ln_x.weight", (D,), one), (a + "ln_x.bias", (D,), small),
                    (f + "time_maa_k", (1, 1, D), uni()), (f + "time_maa_r", (1, 1, D), uni()),
                    (f + "key.weight", (F, D), lin(D)), (f + "receptance.weight", (D, D), lin(D)),
                    (f + "value.weight", (D, F), lin(F, 0.5))]
        else:
            out += [(a + f"x_{c}", (1, 1, D), uni()) for c in "rwkvag"]
            out += [(a + "w0", (1, 1, D), uni(-4.0, 3.0)), (a + "w1", (D, rw), nrm(0.02)), (a + "w2", (rw, D), nrm(0.1)),
                    (a + "a0", (1, 1, D), nrm(1.0)), (a + "a1", (D, ra), nrm(0.02)), (a + "a2", (ra, D), nrm(0.1)),
                    (a + "v0", (1, 1, D), nrm(1.0)), (a + "v1", (D, rv), nrm(0.02)), (a + "v2", (rv, D), nrm(0.1)),
                    (a + "g1", (D, rg), nrm(0.02)), (a + "g2", (rg, D), nrm(0.1)),
                    (a + "k_k", (1, 1, D), uni(0.5, 1.5)), (a + "k_a", (1, 1, D), uni()),
                    (a + "r_k", (H, HEAD), nrm(0.3))]
            out += [(a + n + ".weight", (D, D), lin(D)) for n in ("receptance", "key", "value")]
            out += [(a + "output.weight", (D, D), lin(D, 0.5)),
                    (a + "ln_x.weight", (D,), one), (a + "ln_x.bias", (D,), small),
                    (f + "x_k", (1, 1, D), uni()),
                    (f + "key.weight", (F, D), lin(D)), (f + "value.weight", (D, F), lin(F, 0.5))]
    out += [("ln_out.weight", (D,), one), ("ln_out.bias", (D,), small), ("head.weight", (V, D), lin(D, 2.0))]
    return out


def torch_state_dict(torch, spec, seed, device):
    """`spec` (shapes()) drawn with torch on `device` as bf16 tensors, for the GPU benches."""
    g = torch.Generator(device=device).manual_seed(seed)
    w = {}
    for name, shape, (kind, a, b) in spec:
        if kind == "normal":
            t = torch.randn(*shape, generator=g, device=device) * b + a
        else:
            t = torch.rand(*shape, generator=g, device=device) * (b - a) + a
        w[name] = t.to(torch.bfloat16)
    return w


def encode(values, dtype):
    """float32 array -> little-endian bytes of `dtype` (bf16 rounded to nearest even)."""
    if dtype == "fp32":
        return values.astype("<f4").tobytes()
    if dtype == "fp16":
        return values.astype("<f2").tobytes()
    bits = values.astype(np.float32).view(np.uint32)
    bits = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    return bits.astype("<u2").tobytes()


def draw(rng, shape, init):
    n = int(np.prod(shape))
    kind, a, b = init
    if kind == "normal":
        return (rng.standard_normal(n, dtype=np.float32) * np.float32(b) + np.float32(a))
    return rng.random(n, dtype=np.float32) * np.float32(b - a) + np.float32(a)


def write_aligned(z, name, data):
    """A stored entry whose data starts at a multiple of 64 bytes, as torch's writer pads it."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    start = z.fp.tell() + 30 + len(name.encode())
    pad = (-(start + 4)) % 64
    info.extra = b"FB" + pad.to_bytes(2, "little") + b"Z" * pad
    z.writestr(info, data)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--version", type=int, choices=(6, 7), default=6)
    ap.add_argument("--layers", type=int, default=24)
    ap.add_argument("--width", type=int, default=2048)
    ap.add_argument("--vocab", type=int, default=65536)
    ap.add_argument("--dtype", choices=sorted(STORAGE), default="bf16")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    torch, utils = _install_fake_torch()
    rng = np.random.default_rng(a.seed)
    spec = shapes(a.version, a.layers, a.width, a.vocab)
    state = collections.OrderedDict()
    folder = "archive"
    total = 0
    with zipfile.ZipFile(a.out, "w", zipfile.ZIP_STORED, allowZip64=True) as z:
        for key, (name, shape, init) in enumerate(spec):
            data = encode(draw(rng, shape, init), a.dtype)
            total += len(data)
            state[name] = _Tensor(_Storage(str(key), int(np.prod(shape)), a.dtype), list(shape), utils._rebuild_tensor_v2)
            write_aligned(z, f"{folder}/data/{key}", data)
        import io
        buf = io.BytesIO()
        _Pickler(buf, torch).dump(state)
        z.writestr(zipfile.ZipInfo(f"{folder}/data.pkl", date_time=(1980, 1, 1, 0, 0, 0)), buf.getvalue())
        z.writestr(zipfile.ZipInfo(f"{folder}/byteorder", date_time=(1980, 1, 1, 0, 0, 0)), b"little")
        z.writestr(zipfile.ZipInfo(f"{folder}/version", date_time=(1980, 1, 1, 0, 0, 0)), b"3\n")
    print(f"{a.out}: v{a.version} L={a.layers} D={a.width} V={a.vocab} {a.dtype}, {len(spec)} tensors, "
          f"{total / 1e9:.2f} GB of tensor data")


if __name__ == "__main__":
    main()
