#!/usr/bin/env python3
"""bench/gpu_eval_bench_v7.py — the GPU evaluator on RWKV-7 (x070) against its competitors on one card.

Run on the GPU machine by bench/run_gpu_eval_bench_v7.sh, subcommands in this order:
  pkg-build  compile the official package's x070 CUDA op (RWKV_V7_ON=1, RWKV_CUDA_ON=1) on a tiny
             model, in the background.
  torch      a random RWKV-7-1.5B-shaped checkpoint (L=24, D=2048, F=8192, V=65536, LoRA ranks
             96/96/64/256; official key names, bf16) and a binidx shard of 4096-token documents; the
             bf16 GEMM ceiling (torch.matmul) and the fla path (PyTorch RWKV-7 with fla's chunk_rwkv7).
  pkg        the official package ('cuda bf16'), one document per forward (it has no batch); tokens/s.
  report     rwkvkit's driver log and `rwkvkit eval` NLL against the others per token, the fractions
             of the GEMM ceiling, the table.
Protocol (docs/eval.md): inputs [0, t1..tn], targets [t1..tn, 0], fresh state per document, NLL in
nats; tokens/s counts targets and covers the forward, the head and the NLL.
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gpu_eval_bench as gb  # noqa: E402  (binidx writer, log, NLL comparison, fla timing loop)
import make_checkpoint  # noqa: E402  (the random model's spec)

L, D, F_DIM, V, N = 24, 2048, 8192, 65536, 64
RANKS = (96, 96, 64, 256)  # Dw, Da, Dv, Dg of the released 1.5B (RWKV-LM README)
H = D // N
CTX = 4096
log = gb.log


def matmul_params():
    dw, da, dv, dg = RANKS
    per_layer = {"att r,k,v,output (4 x D x D)": 4 * D * D, "ffn key (D x F)": D * F_DIM,
                 "ffn value (F x D)": F_DIM * D,
                 "LoRA w, a, v, g (2 x D x r each)": 2 * D * (dw + da + dv + dg)}
    layers = L * sum(per_layer.values()) - 2 * D * dv  # layer 0 has no value LoRA in use
    head = D * V
    return per_layer, layers, head, layers + head


def make_state_dict(torch, dims, seed, device):
    """dims: L, D, F, V, ranks. Random RWKV-7 weights, bf16 tensors on `device`: the spec of
    make_checkpoint.shapes() (official x070 names, layer 0's v0/v1/v2 included), drawn with torch."""
    spec = make_checkpoint.shapes(7, dims["L"], dims["D"], dims["V"], F=dims["F"], ranks=dims["ranks"])
    return make_checkpoint.torch_state_dict(torch, spec, seed, device)


class FlaGoose:
    """RWKV-7 in PyTorch with bf16 weights and activations; time mix fla.ops.rwkv7.chunk_rwkv7 (log decay
    -0.606531·σ(d) in fp32, lower_bound so that fla takes its 64-token tensor-core chunks)."""

    def __init__(self, torch, sd):
        import torch.nn.functional as F
        self.torch, self.F = torch, F
        bf = torch.bfloat16
        self.nl = 1 + max(int(k.split(".")[1]) for k in sd if k.startswith("blocks."))
        self.emb = F.layer_norm(sd["emb.weight"].float(), (D,), sd["blocks.0.ln0.weight"].float(),
                                sd["blocks.0.ln0.bias"].float()).to(bf)
        self.layers = []
        for i in range(self.nl):
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
            self.layers.append(t)
        self.ln_out = (sd["ln_out.weight"], sd["ln_out.bias"])
        self.head = sd["head.weight"]
        from fla.ops.rwkv7 import chunk_rwkv7
        self.chunk_rwkv7 = chunk_rwkv7

    def nll(self, inputs, targets, head_rows=16384):
        torch, F = self.torch, self.F
        B, T = inputs.shape
        x = self.emb[inputs]
        v_first = None
        for li, t in enumerate(self.layers):
            xx = F.layer_norm(x, (D,), *t["ln1"])
            sx = gb.FlaFinch._shift(torch, xx) - xx
            xr, xw, xk, xv, xa, xg = (xx + sx * t["x_" + c] for c in "rwkvag")
            r = F.linear(xr, t["a_receptance"])
            k = F.linear(xk, t["a_key"])
            v = F.linear(xv, t["a_value"])
            dd = torch.tanh(xw @ t["w1"]) @ t["w2"]
            ia = torch.sigmoid(t["a0"] + (xa @ t["a1"]) @ t["a2"])
            g = torch.sigmoid(xg @ t["g1"]) @ t["g2"]
            kk = F.normalize((k * t["k_k"]).view(B, T, H, N), dim=-1, p=2.0).view(B, T, D)
            k = k * (1 + (ia - 1) * t["k_a"])
            if li == 0:
                v_first = v
            else:
                v = v + (v_first - v) * torch.sigmoid(t["v0"] + (xv @ t["v1"]) @ t["v2"])
            logw = -0.606531 * torch.sigmoid(t["w0"] + dd.float())
            o, _ = self.chunk_rwkv7(r.view(B, T, H, N), logw.view(B, T, H, N), k.view(B, T, H, N),
                                    v.view(B, T, H, N), (-kk).view(B, T, H, N), (kk * ia).view(B, T, H, N),
                                    scale=1.0, lower_bound=-0.6066)
            o = F.group_norm(o.reshape(B * T, D), H, t["lnx"][0].to(o.dtype), t["lnx"][1].to(o.dtype), eps=64e-5)
            o = o.view(B, T, H, N) + ((r * k).view(B, T, H, N) * t["r_k"]).sum(-1, keepdim=True) * v.view(B, T, H, N)
            x = x + F.linear(o.view(B, T, D).to(torch.bfloat16) * g, t["a_output"])
            xx = F.layer_norm(x, (D,), *t["ln2"])
            sx = gb.FlaFinch._shift(torch, xx) - xx
            x = x + F.linear(torch.relu(F.linear(xx + sx * t["f_x_k"], t["f_key"])) ** 2, t["f_value"])
        x = F.layer_norm(x, (D,), *self.ln_out).view(B * T, D)
        tg = targets.reshape(B * T)
        out = torch.empty(B * T, dtype=torch.float32, device=x.device)
        for s in range(0, B * T, head_rows):
            out[s:s + head_rows] = F.cross_entropy(F.linear(x[s:s + head_rows], self.head).float(),
                                                   tg[s:s + head_rows], reduction="none")
        return out.view(B, T)


def cmd_torch(args):
    import numpy as np
    import torch
    import triton
    import triton.testing
    os.makedirs(args.work, exist_ok=True)
    res = {"torch": torch.__version__, "triton": triton.__version__, "card": torch.cuda.get_device_name(0),
           "sms": torch.cuda.get_device_properties(0).multi_processor_count}
    try:
        import fla
        res["fla"] = fla.__version__
    except Exception as e:  # noqa: BLE001
        res["fla"] = f"import failed: {e!r}"
    log(f"torch {res['torch']}, triton {res['triton']}, fla {res['fla']}, {res['card']} ({res['sms']} SMs)")
    t0 = time.time()
    sd = make_state_dict(torch, dict(L=L, D=D, F=F_DIM, V=V, ranks=RANKS), seed=1507, device="cuda")
    res["params"] = sum(t.numel() for t in sd.values())
    torch.save({k: t.cpu() for k, t in sd.items()}, os.path.join(args.work, "goose15.pth"))
    log(f"weights {res['params'] / 1e9:.3f}B parameters, saved in {time.time() - t0:.1f} s")
    rng = np.random.default_rng(4096)
    docs = [list(map(int, rng.integers(1, V, CTX - 1))) + [0] for _ in range(args.docs)]
    gb.write_binidx(os.path.join(args.work, "docs"), docs)
    json.dump(docs, open(os.path.join(args.work, "docs.json"), "w"))
    res["docs"] = args.docs
    fla_model = None
    inputs, targets = gb.docs_tensor(torch, docs)
    inputs, targets = inputs.cuda(), targets.cuda()
    batches = [b for b in args.fla_batches if b <= args.docs]
    try:
        if args.no_fla:
            raise RuntimeError("fla left out (--no-fla)")
        fla_model = FlaGoose(torch, sd)
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
    t0 = time.time()
    waits = [f for f in args.wait_for.split(",") if f]
    while not all(os.path.exists(f) for f in waits) and time.time() - t0 < args.wait_timeout:
        time.sleep(0.5)
    log(f"waited {time.time() - t0:.1f} s for {args.wait_for}")
    gemms = []

    def bench_mm(name, m, k, n, count=1):
        a = torch.randn(m, k, device="cuda", dtype=torch.bfloat16)
        w = torch.randn(n, k, device="cuda", dtype=torch.bfloat16)
        ms = triton.testing.do_bench(lambda: torch.matmul(a, w.t()), warmup=50, rep=200, return_mode="median")
        gemms.append(dict(name=name, m=m, k=k, n=n, count=count, ms=ms, tflops=2.0 * m * k * n / ms / 1e9))
        log(f"gemm {name:28s} {m}x{k}x{n}: {ms:.4f} ms, {gemms[-1]['tflops']:.1f} TFLOP/s")

    bench_mm("square 8192", 8192, 8192, 8192)
    bench_mm("square 16384", 16384, 16384, 16384)
    M = args.gemm_rows
    dw, da, dv, dg = RANKS
    for name, m, k, n, c in [("D x D (r,k,v,o)", M, D, D, 4 * L), ("ffn key D x F", M, D, F_DIM, L),
                             ("ffn value F x D", M, F_DIM, D, L), ("LoRA in D x (w+a+v+g)", M, D, dw + da + dv + dg, L),
                             ("LoRA out r x D (w,a,v,g)", M, (dw + da + dv + dg) // 4, D, 4 * L),
                             ("head D x V", M, D, V, 1)]:
        bench_mm(name, m, k, n, c)
    model = gemms[2:]
    flop = sum(2.0 * g_["m"] * g_["k"] * g_["n"] * g_["count"] for g_ in model)
    ms = sum(g_["ms"] * g_["count"] for g_ in model)
    res["gemm"] = gemms
    res["gemm_ceiling_tflops"] = max(g_["tflops"] for g_ in gemms)
    res["gemm_model_shapes_tflops"] = flop / ms / 1e9
    res["gemm_model_shapes_tokens_per_s"] = M / (ms / 1e3)
    log(f"ceiling {res['gemm_ceiling_tflops']:.1f} TFLOP/s; model shapes at M={M}: "
        f"{res['gemm_model_shapes_tflops']:.1f} TFLOP/s -> matmuls alone {res['gemm_model_shapes_tokens_per_s']:.0f} tokens/s")
    json.dump(res, open(os.path.join(args.work, "torch_side.json"), "w"), indent=1)
    if fla_model is not None:
        try:
            gb.time_fla(torch, np, fla_model, inputs, targets, batches, args, res)
        except Exception as e:  # noqa: BLE001
            import traceback
            traceback.print_exc()
            res["fla_error"] = repr(e)
    json.dump(res, open(os.path.join(args.work, "torch_side.json"), "w"), indent=1)


def cmd_pkg_build(args):
    import torch
    os.makedirs(args.work, exist_ok=True)
    tiny = make_state_dict(torch, dict(L=2, D=128, F=512, V=512, ranks=(16, 16, 16, 32)), seed=7, device="cpu")
    torch.save(tiny, os.path.join(args.work, "tiny7.pth"))
    t0 = time.time()
    from rwkv.model import RWKV  # RWKV_V7_ON=1, RWKV_CUDA_ON=1: compiles wkv7s at import
    log(f"import rwkv.model: {time.time() - t0:.1f} s")
    m = RWKV(os.path.join(args.work, "tiny7"), "cuda bf16")
    out, _ = m.forward([0, 5, 7, 9], None, full_output=True)
    log(f"tiny forward ok: logits {tuple(out.shape)}, finite {bool(torch.isfinite(out).all())}")


def cmd_pkg(args):
    import numpy as np
    import torch
    import torch.nn.functional as F
    res = {"env": {k: os.environ.get(k) for k in ("RWKV_CUDA_ON", "RWKV_JIT_ON", "RWKV_V7_ON")}}
    docs = json.load(open(os.path.join(args.work, "docs.json")))[: args.docs]
    t0 = time.time()
    from rwkv.model import RWKV
    model = RWKV(os.path.join(args.work, "goose15"), "cuda bf16")
    res["load_s"] = time.time() - t0

    def one(doc):
        out, _ = model.forward([0] + doc[:-1], None, full_output=True)
        return F.cross_entropy(out.float(), torch.tensor(doc, device=out.device), reduction="none")

    one(docs[0])
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


def cmd_report(args):
    import re
    import numpy as np
    w = args.work
    R = {"when": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())}
    ts = json.load(open(os.path.join(w, "torch_side.json")))
    R["torch_side"] = ts
    p = os.path.join(w, "pkg_cuda.json")
    if os.path.exists(p):
        R["pkg_cuda"] = json.load(open(p))
    drv = {}
    for line in open(args.driver_log) if os.path.exists(args.driver_log) else []:
        m = re.match(r"cuda (\w+): (\d+) docs x (\d+) tokens, window (\d+): ([\d.]+) s, (\d+) tokens/s", line)
        if m:
            drv.setdefault(m.group(1), []).append(dict(docs=int(m.group(2)), tokens_per_s=float(m.group(6))))
    R["rwkvkit_driver"] = drv
    _, layers, head, total = matmul_params()
    R["flop_per_token"] = 2.0 * total
    ceiling = ts["gemm_ceiling_tflops"]
    nll = {}
    for name, path in (("rwkvkit bf16", "nll_rwkvkit_bf16.jsonl"), ("rwkvkit fp32", "nll_rwkvkit_fp32.jsonl")):
        if os.path.exists(os.path.join(w, path)):
            nll[name] = gb.read_jsonl(os.path.join(w, path))
    for name, path in (("fla bf16", "nll_fla.npy"), ("package cuda bf16", "nll_pkg_cuda.npy")):
        if os.path.exists(os.path.join(w, path)):
            nll[name] = np.load(os.path.join(w, path))
    acc = {}
    for ref in ("rwkvkit fp32", "rwkvkit bf16"):
        for name, arr in nll.items():
            if ref in nll and name != ref and not (ref == "rwkvkit bf16" and name == "rwkvkit fp32"):
                n = min(arr.shape[0], nll[ref].shape[0])
                acc[f"{name} vs {ref}"] = gb.compare(arr[:n], nll[ref][:n])
    R["accuracy"] = acc
    rows = []
    rk = {k: max(r["tokens_per_s"] for r in v) for k, v in drv.items()}
    if "bf16" in rk:
        rows.append(("rwkvkit cuda bf16", rk["bf16"]))
    if "fla_tokens_per_s" in ts:
        rows.append((f"fla chunk_rwkv7 + torch bf16 (B={ts['fla_best_batch']})", ts["fla_tokens_per_s"]))
    if "pkg_cuda" in R:
        rows.append(("official rwkv 0.8.32 'cuda bf16', RWKV_V7_ON=1 RWKV_CUDA_ON=1", R["pkg_cuda"]["tokens_per_s"]))
    R["table"] = [dict(tool=t, tokens_per_s=v, tflops=v * 2.0 * total / 1e12, ceiling_fraction=v * 2.0 * total / 1e12 / ceiling)
                  for t, v in rows]
    if "bf16" in rk:
        R["speedups"] = {t: rk["bf16"] / v for t, v in rows if v > 0 and not t.startswith("rwkvkit")}
        R["ceiling_fraction_bf16"] = rk["bf16"] * 2.0 * total / 1e12 / ceiling
        R["model_shape_fraction_bf16"] = rk["bf16"] * 2.0 * total / 1e12 / ts["gemm_model_shapes_tflops"]
    json.dump(R, open(args.out, "w"), indent=1)
    log("\n==== summary ====")
    log(f"card {ts['card']}; torch {ts['torch']}, triton {ts['triton']}, fla {ts.get('fla')}")
    log(f"matmul parameters {total / 1e9:.4f}B (layers {layers / 1e9:.4f}B + head {head / 1e9:.4f}B) -> "
        f"{2 * total / 1e9:.3f} GFLOP/token")
    log(f"bf16 GEMM ceiling {ceiling:.1f} TFLOP/s; model shapes {ts['gemm_model_shapes_tflops']:.1f} TFLOP/s "
        f"({ts['gemm_model_shapes_tokens_per_s']:.0f} tokens/s for the matmuls alone)")
    for r in R["table"]:
        log(f"{r['tool']:66s} {r['tokens_per_s']:10.0f} tokens/s {r['tflops']:6.1f} TFLOP/s "
            f"{100 * r['ceiling_fraction']:5.1f}% of ceiling")
    for k, v in R.get("speedups", {}).items():
        log(f"rwkvkit bf16 / {k}: {v:.2f}x")
    if "ceiling_fraction_bf16" in R:
        log(f"rwkvkit bf16: {100 * R['ceiling_fraction_bf16']:.1f}% of the GEMM ceiling, "
            f"{100 * R['model_shape_fraction_bf16']:.1f}% of the model-shape GEMM rate")
    for k, v in acc.items():
        log(f"NLL {k}: docs {v['docs']}, mean {v['mean']:.6f} vs {v['ref_mean']:.6f} (ppl rel {v['rel_ppl']:.2e}); "
            f"per token mean |d| {v['mean_abs_token']:.2e}, max {v['max_abs_token']:.2e}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cmd", choices=["torch", "pkg-build", "pkg", "report"])
    ap.add_argument("--work", default="/tmp/gpubench7")
    ap.add_argument("--docs", type=int, default=64)
    ap.add_argument("--fla-batches", type=lambda s: [int(x) for x in s.split(",")], default=[16, 32])
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--gemm-rows", type=int, default=16384)
    ap.add_argument("--wait-for", default="")
    ap.add_argument("--wait-timeout", type=float, default=300)
    ap.add_argument("--tag", default="cuda")
    ap.add_argument("--driver-log", default="")
    ap.add_argument("--no-fla", action="store_true", help="torch: GEMM ceiling and checkpoint only")
    ap.add_argument("--out", default="results.json")
    args = ap.parse_args()
    {"torch": cmd_torch, "pkg-build": cmd_pkg_build, "pkg": cmd_pkg, "report": cmd_report}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
