#!/usr/bin/env python3
"""bench/gpu_eval_bench.py — the GPU evaluator against its competitors on one card (RWKV-6).

Run on the GPU machine by bench/run_gpu_eval_bench.sh, subcommands in this order:
  pkg-build  compile the official `rwkv` package's CUDA extensions (RWKV_CUDA_ON=1) on a tiny v6 model
             in the background, so the timed run finds them built.
  torch      a random Finch-1.6B-shaped checkpoint (L=24, D=2048, F=7168, V=65536, Dm=32, Dd=64; official
             key names, bf16) and a binidx shard of 4096-token documents; the bf16 GEMM ceiling
             (torch.matmul) and the fla path (PyTorch Finch-6 with fla's chunk_rwkv6), batched.
  pkg        the official package ('cuda bf16'), one document per forward (it has no batch); tokens/s.
  report     rwkvkit's driver log and `rwkvkit eval` NLL against the others per token, the fraction
             of the GEMM ceiling, the table.
Protocol (docs/eval.md): inputs [0, t1..tn], targets [t1..tn, 0], fresh state per document, NLL in
nats; tokens/s counts targets and covers the forward, the head and the NLL, as rwkvkit's does.
"""
import argparse
import json
import math
import os
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_checkpoint  # noqa: E402  (the random model's spec, shared with the load benchmark)

L, D, F_DIM, V, DM, DD, N = 24, 2048, 7168, 65536, 32, 64, 64
H = D // N
CTX = 4096


def log(*a):
    print(*a, flush=True)


# ---------------------------------------------------------------------------------------------
# FLOPs: 2 x (parameters that take part in matrix products), per token; the embedding is a
# lookup and the WKV recurrence (~4*N*D per layer, 0.4% of the total) is left out.

def matmul_params():
    per_layer = {
        "att r,k,v,g,output (5 x D x D)": 5 * D * D,
        "ffn key (D x F)": D * F_DIM,
        "ffn value (F x D)": F_DIM * D,
        "ffn receptance (D x D)": D * D,
        "time_maa_w1 (D x 5Dm)": D * 5 * DM,
        "time_maa_w2 (5 x Dm x D)": 5 * DM * D,
        "time_decay_w1 (D x Dd)": D * DD,
        "time_decay_w2 (Dd x D)": DD * D,
    }
    layers = L * sum(per_layer.values())
    head = D * V
    return per_layer, layers, head, layers + head


# ---------------------------------------------------------------------------------------------
# binidx shard (the MMapIndexedDataset layout corpus/binidx writes), uint16 tokens.

def write_binidx(prefix, docs):
    with open(prefix + ".bin", "wb") as f:
        for d in docs:
            f.write(struct.pack(f"<{len(d)}H", *d))
    with open(prefix + ".idx", "wb") as f:
        f.write(b"MMIDIDX\x00\x00" + struct.pack("<Q", 1) + struct.pack("<B", 8))
        f.write(struct.pack("<Q", len(docs)) + struct.pack("<Q", len(docs) + 1))
        f.write(struct.pack(f"<{len(docs)}i", *[len(d) for d in docs]))
        ptrs, off = [], 0
        for d in docs:
            ptrs.append(off)
            off += 2 * len(d)
        f.write(struct.pack(f"<{len(docs)}q", *ptrs))
        f.write(struct.pack(f"<{len(docs) + 1}q", *range(len(docs) + 1)))


# ---------------------------------------------------------------------------------------------
# Random Finch-6 weights with the official (BlinkDL) key names and shapes.

def make_state_dict(torch, dims, seed, device):
    """dims: L, D, F, V, Dm, Dd. Random Finch-6 weights, bf16 tensors on `device`: the spec of
    make_checkpoint.shapes() (official key names, scales that keep the NLL dependent on the whole
    network), drawn with torch."""
    spec = make_checkpoint.shapes(6, dims["L"], dims["D"], dims["V"], F=dims["F"], Dm=dims["Dm"], Dd=dims["Dd"])
    return make_checkpoint.torch_state_dict(torch, spec, seed, device)


# ---------------------------------------------------------------------------------------------
# The fla path: Finch-6 in PyTorch, bf16 weights and activations (fp32 log-decay), time mix by
# fla.ops.rwkv6.chunk_rwkv6. Same equations as the official package (spec: docs/refmodel.md).

class FlaFinch:
    def __init__(self, torch, sd):
        import torch.nn.functional as F
        self.torch, self.F = torch, F
        bf = torch.bfloat16
        self.nl = 1 + max(int(k.split(".")[1]) for k in sd if k.startswith("blocks."))
        # LayerNorm0 folded into the embedding in fp32, rounded to bf16 (as rwkvkit and the package do)
        self.emb = F.layer_norm(sd["emb.weight"].float(), (D,), sd["blocks.0.ln0.weight"].float(),
                                sd["blocks.0.ln0.bias"].float()).to(bf)
        self.layers = []
        for i in range(self.nl):
            p = f"blocks.{i}."
            a, f = p + "att.", p + "ffn."
            t = {}
            for ln in ("ln1", "ln2"):
                t[ln] = (sd[p + ln + ".weight"], sd[p + ln + ".bias"])
            for c in "xwkvrg":
                t["maa_" + c] = sd[a + f"time_maa_{c}"].reshape(D)
            t["w1"] = sd[a + "time_maa_w1"]
            t["w2"] = sd[a + "time_maa_w2"]
            t["dw1"] = sd[a + "time_decay_w1"]
            t["dw2"] = sd[a + "time_decay_w2"]
            t["decay"] = sd[a + "time_decay"].reshape(D).float()
            t["u"] = sd[a + "time_faaaa"].reshape(H, N).float().contiguous()
            for c in ("receptance", "key", "value", "gate", "output"):
                t["a_" + c] = sd[a + c + ".weight"]
            t["lnx"] = (sd[a + "ln_x.weight"], sd[a + "ln_x.bias"])
            t["fmaa_k"] = sd[f + "time_maa_k"].reshape(D)
            t["fmaa_r"] = sd[f + "time_maa_r"].reshape(D)
            for c in ("key", "receptance", "value"):
                t["f_" + c] = sd[f + c + ".weight"]
            self.layers.append(t)
        self.ln_out = (sd["ln_out.weight"], sd["ln_out.bias"])
        self.head = sd["head.weight"]
        from fla.ops.rwkv6 import chunk_rwkv6
        self.chunk_rwkv6 = chunk_rwkv6

    @staticmethod
    def _shift(torch, xx):  # previous token's value; zero before the first (fresh state)
        prev = torch.zeros_like(xx)
        prev[:, 1:] = xx[:, :-1]
        return prev

    def nll(self, inputs, targets, head_rows=16384):
        """inputs, targets: int64 [B, T] on the GPU. Returns fp32 NLL [B, T]."""
        torch, F = self.torch, self.F
        B, T = inputs.shape
        x = self.emb[inputs]  # [B, T, D] bf16
        for t in self.layers:
            xx = F.layer_norm(x, (D,), *t["ln1"])
            sx = self._shift(torch, xx) - xx
            xxx = (xx + sx * t["maa_x"]).view(B * T, D)
            m = torch.tanh(xxx @ t["w1"]).view(B * T, 5, DM).transpose(0, 1)
            m = torch.bmm(m, t["w2"]).view(5, B, T, D)
            mw, mk, mv, mr, mg = m.unbind(0)
            wx = xx + sx * (t["maa_w"] + mw)
            kx = xx + sx * (t["maa_k"] + mk)
            vx = xx + sx * (t["maa_v"] + mv)
            rx = xx + sx * (t["maa_r"] + mr)
            gx = xx + sx * (t["maa_g"] + mg)
            r = F.linear(rx, t["a_receptance"]).view(B, T, H, N)
            k = F.linear(kx, t["a_key"]).view(B, T, H, N)
            v = F.linear(vx, t["a_value"]).view(B, T, H, N)
            g = F.silu(F.linear(gx, t["a_gate"]))
            lw = torch.tanh(wx @ t["dw1"]) @ t["dw2"]
            lw = -torch.exp(lw.float() + t["decay"]).view(B, T, H, N)  # log of the decay
            o, _ = self.chunk_rwkv6(r, k, v, lw, t["u"], scale=1.0)
            o = o.reshape(B * T, D)
            o = F.group_norm(o, H, t["lnx"][0].to(o.dtype), t["lnx"][1].to(o.dtype), eps=64e-5)
            o = o.to(torch.bfloat16).view(B, T, D)
            x = x + F.linear(o * g, t["a_output"])
            xx = F.layer_norm(x, (D,), *t["ln2"])
            sx = self._shift(torch, xx) - xx
            kk = torch.relu(F.linear(xx + sx * t["fmaa_k"], t["f_key"])) ** 2
            rr = torch.sigmoid(F.linear(xx + sx * t["fmaa_r"], t["f_receptance"]))
            x = x + rr * F.linear(kk, t["f_value"])
        x = F.layer_norm(x, (D,), *self.ln_out).view(B * T, D)
        tg = targets.reshape(B * T)
        out = torch.empty(B * T, dtype=torch.float32, device=x.device)
        for s in range(0, B * T, head_rows):
            logits = F.linear(x[s:s + head_rows], self.head)
            out[s:s + head_rows] = F.cross_entropy(logits.float(), tg[s:s + head_rows], reduction="none")
        return out.view(B, T)


# ---------------------------------------------------------------------------------------------

def docs_tensor(torch, docs):
    d = torch.tensor(docs, dtype=torch.int64)
    inputs = torch.cat([torch.zeros(d.shape[0], 1, dtype=torch.int64), d[:, :-1]], dim=1)
    return inputs, d


def cmd_torch(args):
    import numpy as np
    import torch
    import triton
    import triton.testing
    os.makedirs(args.work, exist_ok=True)
    res = {"torch": torch.__version__, "triton": triton.__version__, "cuda_torch": torch.version.cuda,
           "card": torch.cuda.get_device_name(0),
           "sms": torch.cuda.get_device_properties(0).multi_processor_count}
    try:
        import fla
        res["fla"] = fla.__version__
    except Exception as e:  # noqa: BLE001
        res["fla"] = f"import failed: {e!r}"
    log(f"torch {res['torch']} (CUDA {res['cuda_torch']}), triton {res['triton']}, fla {res['fla']}, "
        f"{res['card']} ({res['sms']} SMs)")

    # 1. weights, checkpoint, documents
    t0 = time.time()
    sd = make_state_dict(torch, dict(L=L, D=D, F=F_DIM, V=V, Dm=DM, Dd=DD), seed=1606, device="cuda")
    nparams = sum(t.numel() for t in sd.values())
    torch.cuda.synchronize()
    log(f"weights: {nparams / 1e9:.3f}B parameters made on the GPU in {time.time() - t0:.1f} s")
    t0 = time.time()
    torch.save({k: t.cpu() for k, t in sd.items()}, os.path.join(args.work, "finch16.pth"))
    log(f"saved {args.work}/finch16.pth in {time.time() - t0:.1f} s")
    rng = np.random.default_rng(4096)
    docs = [list(map(int, rng.integers(1, V, CTX - 1))) + [0] for _ in range(args.docs)]
    write_binidx(os.path.join(args.work, "docs"), docs)
    json.dump(docs, open(os.path.join(args.work, "docs.json"), "w"))
    res["params"] = nparams
    res["docs"] = args.docs

    # 2. fla: build and warm up (triton compiles and autotunes at the real shapes)
    fla_model = None
    inputs, targets = docs_tensor(torch, docs)
    inputs, targets = inputs.cuda(), targets.cuda()
    batches = [b for b in args.fla_batches if b <= args.docs]
    try:
        fla_model = FlaFinch(torch, sd)
        with torch.inference_mode():
            for b in batches:
                t0 = time.time()
                fla_model.nll(inputs[:b], targets[:b])
                torch.cuda.synchronize()
                log(f"fla warm-up B={b}: {time.time() - t0:.1f} s")
    except Exception as e:  # noqa: BLE001
        import traceback
        traceback.print_exc()
        res["fla_error"] = repr(e)
        fla_model = None

    # 3. wait for the official package's extension build (no CPU load during the timings)
    t0 = time.time()
    waits = [f for f in args.wait_for.split(",") if f]
    while not all(os.path.exists(f) for f in waits) and time.time() - t0 < args.wait_timeout:
        time.sleep(0.5)
    log(f"waited {time.time() - t0:.1f} s for {args.wait_for}")

    # 4. bf16 GEMM ceiling: torch.matmul (cuBLAS), random data, median of do_bench
    gemms = []

    def bench_mm(name, m, k, n, batch=1, count=1):
        if batch == 1:
            a = torch.randn(m, k, device="cuda", dtype=torch.bfloat16)
            w = torch.randn(n, k, device="cuda", dtype=torch.bfloat16)  # nn.Linear layout, used as w.T
            fn = lambda: torch.matmul(a, w.t())  # noqa: E731
        else:
            a = torch.randn(batch, m, k, device="cuda", dtype=torch.bfloat16)
            w = torch.randn(batch, k, n, device="cuda", dtype=torch.bfloat16)
            fn = lambda: torch.bmm(a, w)  # noqa: E731
        ms = triton.testing.do_bench(fn, warmup=50, rep=200, return_mode="median")
        flop = 2.0 * batch * m * k * n
        gemms.append(dict(name=name, m=m, k=k, n=n, batch=batch, count=count, ms=ms, tflops=flop / ms / 1e9))
        log(f"gemm {name:28s} [{batch}x]{m}x{k}x{n}: {ms:.4f} ms, {flop / ms / 1e9:.1f} TFLOP/s")

    bench_mm("square 8192", 8192, 8192, 8192)
    bench_mm("square 16384", 16384, 16384, 16384)
    M = args.gemm_rows
    shapes = [  # one layer's products at M rows (rwkvkit's launch: ~16384 rows), then the head
        ("D x D (r,k,v,g,o,ffn.r)", M, D, D, 1, 6 * L),
        ("ffn key D x F", M, D, F_DIM, 1, L),
        ("ffn value F x D", M, F_DIM, D, 1, L),
        ("maa_w1 D x 5Dm", M, D, 5 * DM, 1, L),
        ("maa_w2 5 x (Dm x D)", M, DM, D, 5, L),
        ("decay_w1 D x Dd", M, D, DD, 1, L),
        ("decay_w2 Dd x D", M, DD, D, 1, L),
        ("head D x V", M, D, V, 1, 1),
    ]
    for name, m, k, n, b, c in shapes:
        bench_mm(name, m, k, n, b, c)
    model_flop = sum(2.0 * g_["batch"] * g_["m"] * g_["k"] * g_["n"] * g_["count"] for g_ in gemms[2:])
    model_ms = sum(g_["ms"] * g_["count"] for g_ in gemms[2:])
    res["gemm"] = gemms
    res["gemm_ceiling_tflops"] = max(g_["tflops"] for g_ in gemms)
    res["gemm_model_shapes_tflops"] = model_flop / model_ms / 1e9
    res["gemm_model_shapes_tokens_per_s"] = M / (model_ms / 1e3)
    log(f"ceiling: {res['gemm_ceiling_tflops']:.1f} TFLOP/s (best shape); the model's own products at "
        f"M={M}: {res['gemm_model_shapes_tflops']:.1f} TFLOP/s -> matmuls alone {res['gemm_model_shapes_tokens_per_s']:.0f} tokens/s")

    # 5. fla timed: every document once per repetition, in batches of b documents
    json.dump(res, open(os.path.join(args.work, "torch_side.json"), "w"), indent=1)
    if fla_model is not None:
        try:
            time_fla(torch, np, fla_model, inputs, targets, batches, args, res)
        except Exception as e:  # noqa: BLE001
            import traceback
            traceback.print_exc()
            res["fla_error"] = repr(e)
    json.dump(res, open(os.path.join(args.work, "torch_side.json"), "w"), indent=1)


def time_fla(torch, np, fla_model, inputs, targets, batches, args, res):
    res["fla_runs"] = []
    nll_all = None
    with torch.inference_mode():
        for b in batches:
            for rep in range(args.reps):
                torch.cuda.synchronize()
                t0 = time.time()
                outs = [fla_model.nll(inputs[s:s + b], targets[s:s + b]) for s in range(0, args.docs - b + 1, b)]
                torch.cuda.synchronize()
                sec = time.time() - t0
                ntok = sum(o.numel() for o in outs)
                res["fla_runs"].append(dict(batch=b, rep=rep, tokens=ntok, seconds=sec, tokens_per_s=ntok / sec))
                log(f"fla B={b} rep {rep}: {ntok} tokens in {sec:.3f} s = {ntok / sec:.0f} tokens/s, "
                    f"mean NLL {torch.cat(outs).double().mean().item():.6f}")
                if nll_all is None or len(outs) * b > nll_all.shape[0]:
                    nll_all = torch.cat(outs).float().cpu().numpy()
    res["fla_peak_mem_gb"] = torch.cuda.max_memory_allocated() / 1e9
    np.save(os.path.join(args.work, "nll_fla.npy"), nll_all)
    best = max(res["fla_runs"], key=lambda r: r["tokens_per_s"])
    res["fla_tokens_per_s"] = best["tokens_per_s"]
    res["fla_best_batch"] = best["batch"]


# ---------------------------------------------------------------------------------------------

def cmd_pkg_build(args):
    """Build the package's extensions on a tiny v6 model (same flags as for the real one: N=64)."""
    import torch
    os.makedirs(args.work, exist_ok=True)
    tiny = make_state_dict(torch, dict(L=1, D=128, F=448, V=512, Dm=8, Dd=16), seed=7, device="cpu")
    path = os.path.join(args.work, "tiny.pth")
    torch.save(tiny, path)
    t0 = time.time()
    from rwkv.model import RWKV  # RWKV_CUDA_ON=1: compiles wkv_cuda at import
    log(f"import rwkv.model: {time.time() - t0:.1f} s")
    t0 = time.time()
    m = RWKV(path, "cuda bf16")  # compiles rwkv6 (v6, N=64)
    log(f"RWKV(tiny, 'cuda bf16'): {time.time() - t0:.1f} s")
    out, _ = m.forward([0, 5, 7, 9], None, full_output=True)
    log(f"tiny forward ok: logits {tuple(out.shape)}, finite {bool(torch.isfinite(out).all())}")


def cmd_pkg(args):
    import numpy as np
    import torch
    import torch.nn.functional as F
    res = {"env": {k: os.environ.get(k) for k in ("RWKV_CUDA_ON", "RWKV_JIT_ON", "RWKV_V7_ON")}}
    docs = json.load(open(os.path.join(args.work, "docs.json")))[: args.docs]
    t0 = time.time()
    import rwkv
    from rwkv.model import RWKV
    res["rwkv_file"] = rwkv.__file__
    model = RWKV(os.path.join(args.work, "finch16.pth"), "cuda bf16")
    res["load_s"] = time.time() - t0
    res["cuda_kernel_used"] = hasattr(model, "RWKV_6")
    log(f"package loaded in {res['load_s']:.1f} s; RWKV_6 CUDA op present: {res['cuda_kernel_used']}")

    def one(doc):
        out, _ = model.forward([0] + doc[:-1], None, full_output=True)
        tg = torch.tensor(doc, device=out.device)
        return F.cross_entropy(out, tg, reduction="none")

    one(docs[0][-args.warm_tokens:] if args.warm_tokens else docs[0])  # warm-up
    torch.cuda.synchronize()
    nll, times = [], []
    for d in docs:
        torch.cuda.synchronize()
        t0 = time.time()
        r = one(d)
        torch.cuda.synchronize()
        times.append(time.time() - t0)
        nll.append(r.float().cpu().numpy())
        log(f"package doc {len(nll)}: {len(d)} tokens in {times[-1]:.3f} s = {len(d) / times[-1]:.0f} tokens/s, "
            f"mean NLL {nll[-1].astype(np.float64).mean():.6f}")
    res["docs"] = len(docs)
    res["tokens"] = sum(len(d) for d in docs)
    res["seconds"] = sum(times)
    res["tokens_per_s"] = res["tokens"] / res["seconds"]
    res["peak_mem_gb"] = torch.cuda.max_memory_allocated() / 1e9
    np.save(os.path.join(args.work, f"nll_pkg_{args.tag}.npy"), np.stack(nll))
    json.dump(res, open(os.path.join(args.work, f"pkg_{args.tag}.json"), "w"), indent=1)
    log(f"package ({args.tag}): {res['tokens_per_s']:.0f} tokens/s over {res['docs']} docs")


# ---------------------------------------------------------------------------------------------

def compare(a, b):
    """a, b: float arrays [docs, T] of per-token NLL (b the reference)."""
    import numpy as np
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    d = a - b
    return dict(docs=int(a.shape[0]), mean=float(a.mean()), ref_mean=float(b.mean()),
                rel_mean=float(abs(a.mean() - b.mean()) / b.mean()),
                rel_ppl=float(math.expm1(abs(a.mean() - b.mean()))),
                mean_abs_token=float(np.abs(d).mean()), max_abs_token=float(np.abs(d).max()),
                rel_token_rms=float(np.sqrt((d ** 2).mean() / (b ** 2).mean())))


def read_jsonl(path):
    import numpy as np
    with open(path) as f:
        return np.array([json.loads(line) for line in f if line.strip()], dtype=np.float64)


def cmd_report(args):
    import re
    import numpy as np
    w = args.work
    R = {"when": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())}
    p = os.path.join(w, "torch_side.json")
    ts = json.load(open(p)) if os.path.exists(p) else {"card": "?", "torch": "?", "triton": "?",
                                                        "gemm_ceiling_tflops": float("nan"),
                                                        "gemm_model_shapes_tflops": float("nan"),
                                                        "gemm_model_shapes_tokens_per_s": float("nan")}
    R["torch_side"] = ts
    for tag in ("cuda", "nocuda"):
        p = os.path.join(w, f"pkg_{tag}.json")
        if os.path.exists(p):
            R[f"pkg_{tag}"] = json.load(open(p))
    # rwkvkit driver lines: "cuda bf16: 128 docs x 4096 tokens, window 512: 4.9 s, 107013 tokens/s; ..."
    drv = {}
    if os.path.exists(args.driver_log):
        for line in open(args.driver_log):
            m = re.match(r"cuda (\w+): (\d+) docs x (\d+) tokens, window (\d+): ([\d.]+) s, (\d+) tokens/s", line)
            if m:
                drv.setdefault(m.group(1), []).append(dict(docs=int(m.group(2)), seconds=float(m.group(5)),
                                                           tokens_per_s=float(m.group(6))))
    R["rwkvkit_driver"] = drv
    per_layer, layers, head, total = matmul_params()
    R["matmul_params"] = total
    R["flop_per_token"] = 2.0 * total
    ceiling = ts["gemm_ceiling_tflops"]

    # accuracy: per-token NLL, all against rwkvkit fp32 (the reference), and bf16 tools pairwise
    nll = {}
    for name, path in (("rwkvkit bf16", "nll_rwkvkit_bf16.jsonl"), ("rwkvkit fp32", "nll_rwkvkit_fp32.jsonl")):
        p = os.path.join(w, path)
        if os.path.exists(p):
            nll[name] = read_jsonl(p)
    for name, path in (("fla bf16", "nll_fla.npy"), ("package cuda bf16", "nll_pkg_cuda.npy"),
                       ("package bf16 (CUDA off)", "nll_pkg_nocuda.npy")):
        p = os.path.join(w, path)
        if os.path.exists(p):
            nll[name] = np.load(p)
    acc = {}
    for ref in ("rwkvkit fp32", "rwkvkit bf16"):
        if ref not in nll:
            continue
        for name, arr in nll.items():
            if name == ref or (ref == "rwkvkit bf16" and name == "rwkvkit fp32"):
                continue
            n = min(arr.shape[0], nll[ref].shape[0])
            acc[f"{name} vs {ref}"] = compare(arr[:n], nll[ref][:n])
    R["accuracy"] = acc

    # table
    rows = []
    rk = {k: max(v, key=lambda r: r["tokens_per_s"])["tokens_per_s"] for k, v in drv.items()}
    if "bf16" in rk:
        rows.append(("rwkvkit cuda bf16", rk["bf16"]))
    if "fp16" in rk:
        rows.append(("rwkvkit cuda fp16", rk["fp16"]))
    if "fla_tokens_per_s" in ts:
        rows.append((f"fla chunk_rwkv6 + torch bf16 (B={ts['fla_best_batch']})", ts["fla_tokens_per_s"]))
    for tag, label in (("cuda", "official rwkv 'cuda bf16', RWKV_CUDA_ON=1"),
                       ("nocuda", "official rwkv 'cuda bf16', RWKV_CUDA_ON=0")):
        if f"pkg_{tag}" in R:
            rows.append((label, R[f"pkg_{tag}"]["tokens_per_s"]))
    R["table"] = [dict(tool=t, tokens_per_s=v, tflops=v * 2.0 * total / 1e12,
                       roofline_fraction=v * 2.0 * total / 1e12 / ceiling) for t, v in rows]
    if "bf16" in rk:
        base = rk["bf16"]
        R["speedups"] = {t: base / v for t, v in rows if v > 0 and not t.startswith("rwkvkit")}
        R["roofline_fraction_bf16"] = base * 2.0 * total / 1e12 / ceiling
        R["model_shape_fraction_bf16"] = base * 2.0 * total / 1e12 / ts["gemm_model_shapes_tflops"]
    json.dump(R, open(args.out, "w"), indent=1)

    log("\n==== summary ====")
    log(f"card {ts['card']}; torch {ts['torch']}, triton {ts['triton']}, fla {ts.get('fla')}")
    log(f"matmul parameters {total / 1e9:.4f}B (layers {layers / 1e9:.4f}B + head {head / 1e9:.4f}B) "
        f"-> {2 * total / 1e9:.3f} GFLOP/token")
    log(f"bf16 GEMM ceiling {ceiling:.1f} TFLOP/s; the model's shapes at M={args.gemm_rows}: "
        f"{ts['gemm_model_shapes_tflops']:.1f} TFLOP/s ({ts['gemm_model_shapes_tokens_per_s']:.0f} tokens/s for the matmuls alone)")
    for r in R["table"]:
        log(f"{r['tool']:55s} {r['tokens_per_s']:10.0f} tokens/s  {r['tflops']:6.1f} TFLOP/s  "
            f"{100 * r['roofline_fraction']:5.1f}% of ceiling")
    for k, v in R.get("speedups", {}).items():
        log(f"rwkvkit bf16 / {k}: {v:.2f}x")
    if "roofline_fraction_bf16" in R:
        log(f"rwkvkit bf16: {100 * R['roofline_fraction_bf16']:.1f}% of the GEMM ceiling, "
            f"{100 * R['model_shape_fraction_bf16']:.1f}% of the model-shape GEMM rate")
    for k, v in acc.items():
        log(f"NLL {k}: docs {v['docs']}, mean {v['mean']:.6f} vs {v['ref_mean']:.6f} (rel {v['rel_mean']:.2e}, "
            f"ppl rel {v['rel_ppl']:.2e}); per token mean |d| {v['mean_abs_token']:.2e}, max {v['max_abs_token']:.2e}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cmd", choices=["torch", "pkg-build", "pkg", "report"])
    ap.add_argument("--work", default="/tmp/gpubench")
    ap.add_argument("--docs", type=int, default=64)
    ap.add_argument("--fla-batches", type=lambda s: [int(x) for x in s.split(",")], default=[16, 32])
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--gemm-rows", type=int, default=16384)
    ap.add_argument("--wait-for", default="")
    ap.add_argument("--wait-timeout", type=float, default=300)
    ap.add_argument("--tag", default="cuda")
    ap.add_argument("--warm-tokens", type=int, default=0, help="pkg: warm up on this many tokens (0: a whole document)")
    ap.add_argument("--driver-log", default="")
    ap.add_argument("--out", default="results.json")
    args = ap.parse_args()
    {"torch": cmd_torch, "pkg-build": cmd_pkg_build, "pkg": cmd_pkg, "report": cmd_report}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
