#!/usr/bin/env python3
"""bench/gpu_eval_bench.py — the GPU evaluator against its competitors on one card, for RWKV-6 ("Finch",
--version 6: a random Finch-1.6B shape) or RWKV-7 ("Goose", --version 7: a random RWKV-7-1.5B shape).

Run on the GPU machine by bench/run_gpu_eval_bench.sh (VERSION=6|7), which calls the subcommands in order:
pkg-build (compile the official `rwkv` package's CUDA op in the background), torch (the random bf16
checkpoint with official key names, a binidx shard of 4096-token documents, the bf16 GEMM ceiling and the
fla path: chunk_rwkv6 / chunk_rwkv7 with PyTorch matrix products), pkg (the official package, strategy
'cuda bf16', one document per forward) and report (per-token NLL of the tools compared, fractions of the
GEMM ceiling, the table). Shapes and protocol: docs/benchmarks.md and docs/eval.md (inputs [0, t1..tn],
targets [t1..tn, 0], fresh state per document, NLL in nats; tokens/s counts targets and covers forward,
head and NLL).
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

D, V, N = 2048, 65536, 64
H = D // N
CTX = 4096
# The benchmark models (the released shapes) and the tiny ones the package's CUDA build runs on.
MODELS = {
    6: dict(stem="finch16", seed=1606, L=24, F=7168, Dm=32, Dd=64,
            tiny=dict(L=1, D=128, F=448, V=512, Dm=8, Dd=16)),
    7: dict(stem="goose15", seed=1507, L=24, F=8192, ranks=(96, 96, 64, 256),  # Dw, Da, Dv, Dg (RWKV-LM README)
            tiny=dict(L=2, D=128, F=512, V=512, ranks=(16, 16, 16, 32))),
}


def log(*a):
    print(*a, flush=True)


# ---------------------------------------------------------------------------------------------
# FLOPs: 2 x (parameters that take part in matrix products), per token; the embedding is a
# lookup and the WKV recurrence (~0.4% of the total) is left out.

def matmul_params(version):
    m = MODELS[version]
    L, F_DIM = m["L"], m["F"]
    if version == 6:
        DM, DD = m["Dm"], m["Dd"]
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
    else:
        dw, da, dv, dg = m["ranks"]
        per_layer = {"att r,k,v,output (4 x D x D)": 4 * D * D, "ffn key (D x F)": D * F_DIM,
                     "ffn value (F x D)": F_DIM * D,
                     "LoRA w, a, v, g (2 x D x r each)": 2 * D * (dw + da + dv + dg)}
        layers = L * sum(per_layer.values()) - 2 * D * dv  # layer 0 has no value LoRA in use
    head = D * V
    return per_layer, layers, head, layers + head


def gemm_shapes(version, M):
    """(name, m, k, n, batch, count): one forward's products at M rows (rwkvkit's launch: ~16384
    rows), then the head."""
    m = MODELS[version]
    L, F_DIM = m["L"], m["F"]
    if version == 6:
        DM, DD = m["Dm"], m["Dd"]
        return [("D x D (r,k,v,g,o,ffn.r)", M, D, D, 1, 6 * L), ("ffn key D x F", M, D, F_DIM, 1, L),
                ("ffn value F x D", M, F_DIM, D, 1, L), ("maa_w1 D x 5Dm", M, D, 5 * DM, 1, L),
                ("maa_w2 5 x (Dm x D)", M, DM, D, 5, L), ("decay_w1 D x Dd", M, D, DD, 1, L),
                ("decay_w2 Dd x D", M, DD, D, 1, L), ("head D x V", M, D, V, 1, 1)]
    dw, da, dv, dg = m["ranks"]
    return [("D x D (r,k,v,o)", M, D, D, 1, 4 * L), ("ffn key D x F", M, D, F_DIM, 1, L),
            ("ffn value F x D", M, F_DIM, D, 1, L), ("LoRA in D x (w+a+v+g)", M, D, dw + da + dv + dg, 1, L),
            ("LoRA out r x D (w,a,v,g)", M, (dw + da + dv + dg) // 4, D, 1, 4 * L), ("head D x V", M, D, V, 1, 1)]


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
# Random weights with the official (BlinkDL) key names and shapes.

def make_state_dict(torch, version, dims, seed, device):
    """dims: L, D, F, V and Dm, Dd (v6) or ranks (v7). Random weights, bf16 tensors on `device`: the
    spec of make_checkpoint.shapes() (official key names, v7 with layer 0's v0/v1/v2; scales that keep
    the NLL dependent on the whole network), drawn with torch."""
    extra = dict(Dm=dims["Dm"], Dd=dims["Dd"]) if version == 6 else dict(ranks=dims["ranks"])
    spec = make_checkpoint.shapes(version, dims["L"], dims["D"], dims["V"], F=dims["F"], **extra)
    return make_checkpoint.torch_state_dict(torch, spec, seed, device)


# ---------------------------------------------------------------------------------------------
# The fla paths: the model in PyTorch, bf16 weights and activations (fp32 log-decay), time mix by
# fla's chunked kernels. Same equations as the official package (spec: docs/refmodel.md).

def shift(torch, xx):  # previous token's value; zero before the first (fresh state)
    prev = torch.zeros_like(xx)
    prev[:, 1:] = xx[:, :-1]
    return prev


class FlaModel:
    """What the two fla paths share: the layer loop and the head. compiled=False: eager PyTorch, the head
    as F.linear + F.cross_entropy on fp32 logits; compiled=True (as a user would tune it): each layer's
    PyTorch part under torch.compile (the fla kernel outside its graphs) and fla's fused cross-entropy
    on the bf16 logits (no fp32 copy of them)."""

    def __init__(self, torch, sd, compiled=False):
        import torch.nn.functional as F
        self.torch, self.F, self.compiled = torch, F, compiled
        nl = 1 + max(int(k.split(".")[1]) for k in sd if k.startswith("blocks."))
        # LayerNorm0 folded into the embedding in fp32, rounded to bf16 (as rwkvkit and the package do)
        self.emb = F.layer_norm(sd["emb.weight"].float(), (D,), sd["blocks.0.ln0.weight"].float(),
                                sd["blocks.0.ln0.bias"].float()).to(torch.bfloat16)
        self.layers = [self.layer_weights(sd, i) for i in range(nl)]  # the subclass's per-layer dict
        self.ln_out = (sd["ln_out.weight"], sd["ln_out.bias"])
        self.head = sd["head.weight"]
        self.wkv = self.kernel()  # the subclass's fla op
        self.block = self.layer
        if compiled:
            self.wkv = torch.compiler.disable(self.wkv)  # fla's own Triton kernels, between two graphs
            self.block = torch.compile(self.layer, dynamic=False)
            from fla.modules.fused_cross_entropy import cross_entropy_loss
            self.fused_ce = cross_entropy_loss

    def nll(self, inputs, targets, head_rows=16384):
        """inputs, targets: int64 [B, T] on the GPU. Returns fp32 NLL [B, T]."""
        F = self.F
        B, T = inputs.shape
        x = self.emb[inputs]  # [B, T, D] bf16
        carry = None  # RWKV-7: v_first
        for li, t in enumerate(self.layers):
            x, carry = self.block(x, carry, t, li == 0)
        x = F.layer_norm(x, (D,), *self.ln_out).view(B * T, D)
        tg = targets.reshape(B * T)
        out = self.torch.empty(B * T, dtype=self.torch.float32, device=x.device)
        for s in range(0, B * T, head_rows):
            logits = F.linear(x[s:s + head_rows], self.head)
            if self.compiled:
                out[s:s + head_rows] = self.fused_ce(logits, tg[s:s + head_rows])[0]
            else:
                out[s:s + head_rows] = F.cross_entropy(logits.float(), tg[s:s + head_rows], reduction="none")
        return out.view(B, T)


class FlaFinch(FlaModel):
    @staticmethod
    def kernel():
        from fla.ops.rwkv6 import chunk_rwkv6
        return chunk_rwkv6

    @staticmethod
    def layer_weights(sd, i):
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
        return t

    def layer(self, x, carry, t, first):
        torch, F = self.torch, self.F
        B, T, _ = x.shape
        xx = F.layer_norm(x, (D,), *t["ln1"])
        sx = shift(torch, xx) - xx
        xxx = (xx + sx * t["maa_x"]).view(B * T, D)
        m = torch.tanh(xxx @ t["w1"]).view(B * T, 5, MODELS[6]["Dm"]).transpose(0, 1)
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
        o, _ = self.wkv(r, k, v, lw, t["u"], scale=1.0)
        o = o.reshape(B * T, D)
        o = F.group_norm(o, H, t["lnx"][0].to(o.dtype), t["lnx"][1].to(o.dtype), eps=64e-5)
        o = o.to(torch.bfloat16).view(B, T, D)
        x = x + F.linear(o * g, t["a_output"])
        xx = F.layer_norm(x, (D,), *t["ln2"])
        sx = shift(torch, xx) - xx
        kk = torch.relu(F.linear(xx + sx * t["fmaa_k"], t["f_key"])) ** 2
        rr = torch.sigmoid(F.linear(xx + sx * t["fmaa_r"], t["f_receptance"]))
        x = x + rr * F.linear(kk, t["f_value"])
        return x, carry


class FlaGoose(FlaModel):
    """RWKV-7 in PyTorch with bf16 weights and activations; time mix fla.ops.rwkv7.chunk_rwkv7 (log decay
    -0.606531·σ(d) in fp32, lower_bound so that fla takes its 64-token tensor-core chunks)."""

    @staticmethod
    def kernel():
        from fla.ops.rwkv7 import chunk_rwkv7
        return chunk_rwkv7

    @staticmethod
    def layer_weights(sd, i):
        a, f = f"blocks.{i}.att.", f"blocks.{i}.ffn."
        t = {ln: (sd[f"blocks.{i}.{ln}.weight"], sd[f"blocks.{i}.{ln}.bias"]) for ln in ("ln1", "ln2")}
        for c in "rwkvag":
            t["x_" + c] = sd[a + "x_" + c].reshape(D)
        for n in ("w0", "a0", "v0", "k_k", "k_a"):
            t[n] = sd[a + n].reshape(D)
        t["w0"] = t["w0"].float()
        t["r_k"] = sd[a + "r_k"].reshape(H, N)
        for n in ("w1", "w2", "a1", "a2", "v1", "v2", "g1", "g2"):
            t[n] = sd[a + n]
        for c in ("receptance", "key", "value", "output"):
            t["a_" + c] = sd[a + c + ".weight"]
        t["lnx"] = (sd[a + "ln_x.weight"], sd[a + "ln_x.bias"])
        t["f_x_k"] = sd[f + "x_k"].reshape(D)
        t["f_key"], t["f_value"] = sd[f + "key.weight"], sd[f + "value.weight"]
        return t

    def layer(self, x, v_first, t, first):
        torch, F = self.torch, self.F
        B, T, _ = x.shape
        xx = F.layer_norm(x, (D,), *t["ln1"])
        sx = shift(torch, xx) - xx
        xr, xw, xk, xv, xa, xg = (xx + sx * t["x_" + c] for c in "rwkvag")
        r = F.linear(xr, t["a_receptance"])
        k = F.linear(xk, t["a_key"])
        v = F.linear(xv, t["a_value"])
        dd = torch.tanh(xw @ t["w1"]) @ t["w2"]
        ia = torch.sigmoid(t["a0"] + (xa @ t["a1"]) @ t["a2"])
        g = torch.sigmoid(xg @ t["g1"]) @ t["g2"]
        kk = F.normalize((k * t["k_k"]).view(B, T, H, N), dim=-1, p=2.0).view(B, T, D)
        k = k * (1 + (ia - 1) * t["k_a"])
        if first:
            v_first = v
        else:
            v = v + (v_first - v) * torch.sigmoid(t["v0"] + (xv @ t["v1"]) @ t["v2"])
        logw = -0.606531 * torch.sigmoid(t["w0"] + dd.float())
        o, _ = self.wkv(r.view(B, T, H, N), logw.view(B, T, H, N), k.view(B, T, H, N), v.view(B, T, H, N),
                        (-kk).view(B, T, H, N), (kk * ia).view(B, T, H, N), scale=1.0, lower_bound=-0.6066)
        o = F.group_norm(o.reshape(B * T, D), H, t["lnx"][0].to(o.dtype), t["lnx"][1].to(o.dtype), eps=64e-5)
        o = o.view(B, T, H, N) + ((r * k).view(B, T, H, N) * t["r_k"]).sum(-1, keepdim=True) * v.view(B, T, H, N)
        x = x + F.linear(o.view(B, T, D).to(torch.bfloat16) * g, t["a_output"])
        xx = F.layer_norm(x, (D,), *t["ln2"])
        sx = shift(torch, xx) - xx
        x = x + F.linear(torch.relu(F.linear(xx + sx * t["f_x_k"], t["f_key"])) ** 2, t["f_value"])
        return x, v_first


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
    m = MODELS[args.version]
    res = {"version": args.version, "torch": torch.__version__, "triton": triton.__version__,
           "cuda_torch": torch.version.cuda, "card": torch.cuda.get_device_name(0),
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
    dims = dict(m, D=D, V=V)
    sd = make_state_dict(torch, args.version, dims, seed=m["seed"], device="cuda")
    res["params"] = sum(t.numel() for t in sd.values())
    torch.cuda.synchronize()
    log(f"weights: {res['params'] / 1e9:.3f}B parameters made on the GPU in {time.time() - t0:.1f} s")
    t0 = time.time()
    torch.save({k: t.cpu() for k, t in sd.items()}, os.path.join(args.work, m["stem"] + ".pth"))
    log(f"saved {args.work}/{m['stem']}.pth in {time.time() - t0:.1f} s")
    rng = np.random.default_rng(4096)
    docs = [list(map(int, rng.integers(1, V, CTX - 1))) + [0] for _ in range(args.docs)]
    write_binidx(os.path.join(args.work, "docs"), docs)
    json.dump(docs, open(os.path.join(args.work, "docs.json"), "w"))
    res["docs"] = args.docs

    # 2. fla: build and warm up (triton compiles and autotunes at the real shapes)
    fla_model = None
    inputs, targets = docs_tensor(torch, docs)
    inputs, targets = inputs.cuda(), targets.cuda()
    batches = [b for b in args.fla_batches if b <= args.docs]
    try:
        if args.no_fla:
            raise RuntimeError("fla left out (--no-fla)")
        fla_model = (FlaFinch if args.version == 6 else FlaGoose)(torch, sd)
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

    def bench_mm(name, m_, k, n, batch=1, count=1):
        if batch == 1:
            a = torch.randn(m_, k, device="cuda", dtype=torch.bfloat16)
            w = torch.randn(n, k, device="cuda", dtype=torch.bfloat16)  # nn.Linear layout, used as w.T
            fn = lambda: torch.matmul(a, w.t())  # noqa: E731
        else:
            a = torch.randn(batch, m_, k, device="cuda", dtype=torch.bfloat16)
            w = torch.randn(batch, k, n, device="cuda", dtype=torch.bfloat16)
            fn = lambda: torch.bmm(a, w)  # noqa: E731
        ms = triton.testing.do_bench(fn, warmup=50, rep=200, return_mode="median")
        flop = 2.0 * batch * m_ * k * n
        gemms.append(dict(name=name, m=m_, k=k, n=n, batch=batch, count=count, ms=ms, tflops=flop / ms / 1e9))
        log(f"gemm {name:28s} [{batch}x]{m_}x{k}x{n}: {ms:.4f} ms, {flop / ms / 1e9:.1f} TFLOP/s")

    bench_mm("square 8192", 8192, 8192, 8192)
    bench_mm("square 16384", 16384, 16384, 16384)
    M = args.gemm_rows
    for name, m_, k, n, b, c in gemm_shapes(args.version, M):
        bench_mm(name, m_, k, n, b, c)
    model = gemms[2:]
    model_flop = sum(2.0 * g_["batch"] * g_["m"] * g_["k"] * g_["n"] * g_["count"] for g_ in model)
    model_ms = sum(g_["ms"] * g_["count"] for g_ in model)
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
    # 6. the same with torch.compile and fla's fused cross-entropy, at the largest batch
    if fla_model is not None and args.fla_compiled and batches:
        del fla_model
        time_fla_compiled(torch, np, sd, inputs, targets, batches[-1], args, res)
        json.dump(res, open(os.path.join(args.work, "torch_side.json"), "w"), indent=1)


def time_fla(torch, np, fla_model, inputs, targets, batches, args, res, key="fla"):
    """Every document once per repetition, in batches of b; res[key + "_runs"], the best tokens/s and its
    batch, the per-token NLL of the largest pass in nll_<key>.npy."""
    runs = res[key + "_runs"] = []
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
                runs.append(dict(batch=b, rep=rep, tokens=ntok, seconds=sec, tokens_per_s=ntok / sec))
                log(f"{key} B={b} rep {rep}: {ntok} tokens in {sec:.3f} s = {ntok / sec:.0f} tokens/s, "
                    f"mean NLL {torch.cat(outs).double().mean().item():.6f}")
                if nll_all is None or len(outs) * b > nll_all.shape[0]:
                    nll_all = torch.cat(outs).float().cpu().numpy()
    res[key + "_peak_mem_gb"] = torch.cuda.max_memory_allocated() / 1e9
    np.save(os.path.join(args.work, f"nll_{key}.npy"), nll_all)
    best = max(runs, key=lambda r: r["tokens_per_s"])
    res[key + "_tokens_per_s"] = best["tokens_per_s"]
    res[key + "_best_batch"] = best["batch"]


def time_fla_compiled(torch, np, sd, inputs, targets, batch, args, res):
    """fla as a user would tune it (FlaModel compiled=True) at one batch size; the first pass compiles
    and is not timed, and gives up after --compile-budget seconds (SIGALRM)."""
    import signal
    import traceback

    def expire(*_):
        raise TimeoutError(f"torch.compile warm-up over {args.compile_budget} s")

    try:
        model = (FlaFinch if args.version == 6 else FlaGoose)(torch, sd, compiled=True)
        signal.signal(signal.SIGALRM, expire)
        signal.alarm(args.compile_budget)
        t0 = time.time()
        with torch.inference_mode():
            model.nll(inputs[:batch], targets[:batch])
        torch.cuda.synchronize()
        signal.alarm(0)
        res["fla_compiled_warmup_s"] = time.time() - t0
        log(f"fla_compiled warm-up (torch.compile) B={batch}: {res['fla_compiled_warmup_s']:.1f} s")
        time_fla(torch, np, model, inputs, targets, [batch], args, res, key="fla_compiled")
    except Exception as e:  # noqa: BLE001
        signal.alarm(0)
        traceback.print_exc()
        res["fla_compiled_error"] = repr(e)


# ---------------------------------------------------------------------------------------------

def cmd_pkg_build(args):
    """Build the package's CUDA op on a tiny model of the version (same flags as for the real one: N=64)."""
    import torch
    os.makedirs(args.work, exist_ok=True)
    tiny = MODELS[args.version]["tiny"]
    sd = make_state_dict(torch, args.version, tiny, seed=7, device="cpu")
    stem = os.path.join(args.work, f"tiny{args.version}")
    torch.save(sd, stem + ".pth")
    t0 = time.time()
    from rwkv.model import RWKV  # RWKV_CUDA_ON=1: compiles the kernels at import
    log(f"import rwkv.model: {time.time() - t0:.1f} s")
    t0 = time.time()
    m = RWKV(stem, "cuda bf16")  # both classes append '.pth'; v6 compiles rwkv6 here
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
    model = RWKV(os.path.join(args.work, MODELS[args.version]["stem"]), "cuda bf16")
    res["load_s"] = time.time() - t0
    if args.version == 6:
        res["cuda_kernel_used"] = hasattr(model, "RWKV_6")
    log(f"package loaded in {res['load_s']:.1f} s; {res}")

    def one(doc):
        out, _ = model.forward([0] + doc[:-1], None, full_output=True)
        return F.cross_entropy(out.float(), torch.tensor(doc, device=out.device), reduction="none")

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
    res.update(docs=len(docs), tokens=sum(len(d) for d in docs), seconds=sum(times))
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
    R = {"when": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()), "version": args.version}
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
    # rwkvkit driver lines: "cuda bf16: 64 docs x 4096 tokens, window 512: 2.1 s, 128572 tokens/s; ..."
    drv = {}
    for line in open(args.driver_log) if os.path.exists(args.driver_log) else []:
        m = re.match(r"cuda (\w+): (\d+) docs x (\d+) tokens, window (\d+): ([\d.]+) s, (\d+) tokens/s", line)
        if m:
            drv.setdefault(m.group(1), []).append(dict(docs=int(m.group(2)), seconds=float(m.group(5)),
                                                       tokens_per_s=float(m.group(6))))
    R["rwkvkit_driver"] = drv
    _, layers, head, total = matmul_params(args.version)
    R["matmul_params"] = total
    R["flop_per_token"] = 2.0 * total
    ceiling = ts["gemm_ceiling_tflops"]

    # accuracy: per-token NLL, all against rwkvkit fp32 (the reference), and the bf16 tools pairwise
    nll = {}
    for name, path in (("rwkvkit bf16", "nll_rwkvkit_bf16.jsonl"), ("rwkvkit fp32", "nll_rwkvkit_fp32.jsonl")):
        if os.path.exists(os.path.join(w, path)):
            nll[name] = read_jsonl(os.path.join(w, path))
    for name, path in (("fla bf16", "nll_fla.npy"), ("fla compiled bf16", "nll_fla_compiled.npy"),
                       ("package cuda bf16", "nll_pkg_cuda.npy"),
                       ("package bf16 (CUDA off)", "nll_pkg_nocuda.npy")):
        if os.path.exists(os.path.join(w, path)):
            nll[name] = np.load(os.path.join(w, path))
    acc = {}
    for ref in ("rwkvkit fp32", "rwkvkit bf16"):
        for name, arr in nll.items():
            if ref in nll and name != ref and not (ref == "rwkvkit bf16" and name == "rwkvkit fp32"):
                n = min(arr.shape[0], nll[ref].shape[0])
                acc[f"{name} vs {ref}"] = compare(arr[:n], nll[ref][:n])
    R["accuracy"] = acc

    # table
    rows = []
    rk = {k: max(r["tokens_per_s"] for r in v) for k, v in drv.items()}
    for dt in ("bf16", "fp16"):
        if dt in rk:
            rows.append((f"rwkvkit cuda {dt}", rk[dt]))
    if "fla_tokens_per_s" in ts:
        rows.append((f"fla chunk_rwkv{args.version} + torch bf16 (B={ts['fla_best_batch']})", ts["fla_tokens_per_s"]))
    if "fla_compiled_tokens_per_s" in ts:
        rows.append((f"fla chunk_rwkv{args.version} + torch.compile + fused CE (B={ts['fla_compiled_best_batch']})",
                     ts["fla_compiled_tokens_per_s"]))
    v7 = " RWKV_V7_ON=1" if args.version == 7 else ""
    for tag, label in (("cuda", f"official rwkv 'cuda bf16',{v7} RWKV_CUDA_ON=1"),
                       ("nocuda", f"official rwkv 'cuda bf16',{v7} RWKV_CUDA_ON=0")):
        if f"pkg_{tag}" in R:
            rows.append((label, R[f"pkg_{tag}"]["tokens_per_s"]))
    R["table"] = [dict(tool=t, tokens_per_s=v, tflops=v * 2.0 * total / 1e12, ceiling_fraction=v * 2.0 * total / 1e12 / ceiling)
                  for t, v in rows]
    if "bf16" in rk:
        R["speedups"] = {t: rk["bf16"] / v for t, v in rows if v > 0 and not t.startswith("rwkvkit")}
        R["ceiling_fraction_bf16"] = rk["bf16"] * 2.0 * total / 1e12 / ceiling
        R["model_shape_fraction_bf16"] = rk["bf16"] * 2.0 * total / 1e12 / ts["gemm_model_shapes_tflops"]
    json.dump(R, open(args.out, "w"), indent=1)

    log("\n==== summary ====")
    log(f"card {ts['card']}; torch {ts['torch']}, triton {ts['triton']}, fla {ts.get('fla')}; RWKV-{args.version}")
    log(f"matmul parameters {total / 1e9:.4f}B (layers {layers / 1e9:.4f}B + head {head / 1e9:.4f}B) -> "
        f"{2 * total / 1e9:.3f} GFLOP/token")
    log(f"bf16 GEMM ceiling {ceiling:.1f} TFLOP/s; the model's shapes at M={args.gemm_rows}: "
        f"{ts['gemm_model_shapes_tflops']:.1f} TFLOP/s ({ts['gemm_model_shapes_tokens_per_s']:.0f} tokens/s for the matmuls alone)")
    for r in R["table"]:
        log(f"{r['tool']:66s} {r['tokens_per_s']:10.0f} tokens/s {r['tflops']:6.1f} TFLOP/s "
            f"{100 * r['ceiling_fraction']:5.1f}% of ceiling")
    for k, v in R.get("speedups", {}).items():
        log(f"rwkvkit bf16 / {k}: {v:.2f}x")
    if "ceiling_fraction_bf16" in R:
        log(f"rwkvkit bf16: {100 * R['ceiling_fraction_bf16']:.1f}% of the GEMM ceiling, "
            f"{100 * R['model_shape_fraction_bf16']:.1f}% of the model-shape GEMM rate")
    for k, v in acc.items():
        log(f"NLL {k}: docs {v['docs']}, mean {v['mean']:.6f} vs {v['ref_mean']:.6f} (rel {v['rel_mean']:.2e}, "
            f"ppl rel {v['rel_ppl']:.2e}); per token mean |d| {v['mean_abs_token']:.2e}, max {v['max_abs_token']:.2e}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cmd", choices=["torch", "pkg-build", "pkg", "report"])
    ap.add_argument("--version", type=int, choices=[6, 7], default=7)
    ap.add_argument("--work", default="/tmp/gpubench")
    ap.add_argument("--docs", type=int, default=64)
    ap.add_argument("--fla-batches", type=lambda s: [int(x) for x in s.split(",")], default=[16, 32])
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--gemm-rows", type=int, default=16384)
    ap.add_argument("--wait-for", default="")
    ap.add_argument("--wait-timeout", type=float, default=300)
    ap.add_argument("--tag", default="cuda")
    ap.add_argument("--warm-tokens", type=int, default=0, help="pkg: warm up on this many tokens (0: a whole document)")
    ap.add_argument("--no-fla", action="store_true", help="torch: GEMM ceiling and checkpoint only")
    ap.add_argument("--fla-compiled", type=int, default=1,
                    help="torch: also time fla with torch.compile and fused cross-entropy (0: leave it out)")
    ap.add_argument("--compile-budget", type=int, default=150, help="torch: seconds for its compile")
    ap.add_argument("--driver-log", default="")
    ap.add_argument("--out", default="results.json")
    args = ap.parse_args()
    {"torch": cmd_torch, "pkg-build": cmd_pkg_build, "pkg": cmd_pkg, "report": cmd_report}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
