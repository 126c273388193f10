"""An independent RWKV-5.2 / RWKV-6 / RWKV-7 forward pass in numpy, RNN mode (one token at a time).

Written from the equations of docs/refmodel.md (not from the C++ code): the model skeleton,
the token shift on the normalized sublayer inputs, Eagle (v5.2) TimeMix, Finch (v6) TimeMix,
ChannelMix and the RNN state. Computes in float64 by default, so that
comparing it with the fp32 C++ forward measures the C++ rounding error.

Weights come from the directory written by refmodel_cpu_forward_driver: model.json (config,
tensor table with float offsets and shapes) and weights.bin (fp32 little-endian). Their meaning
is refmodel/model_weights.h: emb already has LayerNorm0 folded in, projection matrices are
[in, out] (y = x @ W), time_first is u, and time_decay is the static decay w = exp(-exp(.))
for v5.2 but the raw d for v6.
"""
import json
import pathlib

import numpy as np

LAYER_NORM_EPS = 1e-5   # PyTorch LayerNorm default
GROUP_NORM_EPS = 64e-5  # 1e-5 * head_size_divisor**2, on the raw wkv output


def load_model(directory, dtype=np.float64):
    d = pathlib.Path(directory)
    cfg = json.loads((d / "model.json").read_text())
    raw = np.fromfile(d / "weights.bin", dtype="<f4")
    weights = {}
    for t in cfg["tensors"]:
        n = int(np.prod(t["shape"]))
        weights[t["name"]] = raw[t["offset"]:t["offset"] + n].reshape(t["shape"]).astype(dtype)
    return cfg, weights


def layer_norm(x, w, b, eps=LAYER_NORM_EPS):
    mu = x.mean()
    var = ((x - mu) ** 2).mean()  # biased
    return (x - mu) / np.sqrt(var + eps) * w + b


def group_norm(y, n_head, w, b, eps=GROUP_NORM_EPS):
    """y: [A] viewed as [H, N]; per-head mean and biased variance, then the [A] affine."""
    g = y.reshape(n_head, -1)
    mu = g.mean(axis=1, keepdims=True)
    var = ((g - mu) ** 2).mean(axis=1, keepdims=True)
    return ((g - mu) / np.sqrt(var + eps)).reshape(-1) * w + b


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def new_state(cfg, dtype=np.float64):
    L, D, H, N = cfg["n_layer"], cfg["n_embd"], cfg["n_head"], cfg["head_size"]
    return {
        "att_shift": np.zeros((L, D), dtype),  # LN1 output of the previous token
        "ffn_shift": np.zeros((L, D), dtype),  # LN2 output of the previous token
        "wkv": np.zeros((L, H, N, N), dtype),  # S[h, i (key), j (value)]; RWKV-7: S[h, i (value), j (key)]
    }


def wkv_step(r, k, v, w, u, S):
    """One token of the state recurrence for all heads.

    r, k, v, w: [H, N] (w = per-channel decay in (0,1)); u: [H, N]; S: [H, N, N] (key, value).
    y[h, j] = sum_i r[h,i] * (u[h,i] k[h,i] v[h,j] + S[h,i,j]);  then S = diag(w) S + k v^T.
    """
    kv = k[:, :, None] * v[:, None, :]                       # [H, N(i), N(j)]
    y = np.einsum("hi,hij->hj", r, u[:, :, None] * kv + S)
    S_new = w[:, :, None] * S + kv
    return y, S_new


def time_mix_v5_2(p, cfg, a, a_prev, S):
    """Eagle TimeMix for one token: a, a_prev = LN1 output now / at the previous token."""
    H, N = cfg["n_head"], cfg["head_size"]
    mix = lambda mu: a * mu + a_prev * (1.0 - mu)
    xr, xk, xv, xg = (mix(p["time_mix_" + c]) for c in "rkvg")
    r = (xr @ p["att_r"]).reshape(H, N)
    k = (xk @ p["att_k"]).reshape(H, N)
    v = (xv @ p["att_v"]).reshape(H, N)
    gz = xg @ p["att_g"]
    g = gz * sigmoid(gz)                                      # SiLU
    w = p["time_decay"].reshape(H, N)                        # already exp(-exp(time_decay))
    u = p["time_first"].reshape(H, N)
    y, S = wkv_step(r, k, v, w, u, S)
    o = group_norm(y.reshape(-1), H, p["ln_x_w"], p["ln_x_b"])
    return (o * g) @ p["att_o"], S


def time_mix_v6(p, cfg, a, a_prev, S):
    """Finch TimeMix for one token (data-dependent token shift and per-token decay)."""
    H, N, Dm = cfg["n_head"], cfg["head_size"], cfg["time_mix_lora"]
    delta = a_prev - a
    xxx = a + delta * p["maa_x"]
    m = np.tanh(xxx @ p["maa_w1"]).reshape(5, Dm)            # rows: w, k, v, r, g
    mw, mk, mv, mr, mg = (m[c] @ p["maa_w2"][c] for c in range(5))
    xw = a + delta * (p["maa_w"] + mw)
    xk = a + delta * (p["maa_k"] + mk)
    xv = a + delta * (p["maa_v"] + mv)
    xr = a + delta * (p["maa_r"] + mr)
    xg = a + delta * (p["maa_g"] + mg)
    r = (xr @ p["att_r"]).reshape(H, N)
    k = (xk @ p["att_k"]).reshape(H, N)
    v = (xv @ p["att_v"]).reshape(H, N)
    gz = xg @ p["att_g"]
    g = gz * sigmoid(gz)
    d = p["time_decay"].reshape(-1) + np.tanh(xw @ p["decay_w1"]) @ p["decay_w2"]
    w = np.exp(-np.exp(d)).reshape(H, N)
    u = p["time_first"].reshape(H, N)
    y, S = wkv_step(r, k, v, w, u, S)
    o = group_norm(y.reshape(-1), H, p["ln_x_w"], p["ln_x_b"])
    return (o * g) @ p["att_o"], S


def time_mix_v7(p, cfg, a, a_prev, S, layer, v_first):
    """Goose (RWKV-7) TimeMix for one token, written from the x070 notes (docs/refmodel.md):
    static lerps, decay exp(-e^-0.5 sigmoid(d)), the generalized delta rule on S[h, i (value),
    j (key)], read after the update, GroupNorm, then the r_k bonus and the gate.
    Returns (out, S, v_first)."""
    H, N = cfg["n_head"], cfg["head_size"]
    delta = a_prev - a
    xr, xw, xk, xv, xa, xg = (a + delta * p["x_" + c] for c in "rwkvag")
    r, k, v = xr @ p["att_r"], xk @ p["att_k"], xv @ p["att_v"]
    w = np.exp(-np.exp(-0.5) * sigmoid(p["w0"] + np.tanh(xw @ p["w1"]) @ p["w2"]))
    ia = sigmoid(p["a0"] + (xa @ p["a1"]) @ p["a2"])
    g = sigmoid(xg @ p["g1"]) @ p["g2"]
    u = (k * p["k_k"]).reshape(H, N)
    kk = (u / np.maximum(np.linalg.norm(u, axis=1, keepdims=True), 1e-12)).reshape(-1)
    k = k * (1.0 + (ia - 1.0) * p["k_a"])
    if layer == 0:
        v_first = v
    else:
        v = v + (v_first - v) * sigmoid(p["v0"] + (xv @ p["v1"]) @ p["v2"])
    rh, wh, kh, vh = (z.reshape(H, N) for z in (r, w, k, v))
    alpha, beta = (-kk).reshape(H, N), (kk * ia).reshape(H, N)
    # S_t = S_{t-1} (diag(w) + alpha beta^T) + v k^T, per head
    trans = np.einsum("hj,jm->hjm", wh, np.eye(N)) + alpha[:, :, None] * beta[:, None, :]
    S = np.einsum("hij,hjm->him", S, trans) + vh[:, :, None] * kh[:, None, :]
    y = np.einsum("hij,hj->hi", S, rh).reshape(-1)
    o = group_norm(y, H, p["ln_x_w"], p["ln_x_b"])
    o = o + ((rh * kh * p["r_k"].reshape(H, N)).sum(axis=1, keepdims=True) * vh).reshape(-1)
    return (o * g) @ p["att_o"], S, v_first


def channel_mix(p, cfg, b, b_prev):
    if cfg["version"] == "7.0":  # no receptance gate
        xk = b + (b_prev - b) * p["ffn_mix_k"]
        return (np.maximum(xk @ p["ffn_k"], 0.0) ** 2) @ p["ffn_v"]
    if cfg["version"] == "5.2":
        xk = b * p["ffn_mix_k"] + b_prev * (1.0 - p["ffn_mix_k"])
        xr = b * p["ffn_mix_r"] + b_prev * (1.0 - p["ffn_mix_r"])
    else:
        xk = b + (b_prev - b) * p["ffn_mix_k"]
        xr = b + (b_prev - b) * p["ffn_mix_r"]
    hidden = np.maximum(xk @ p["ffn_k"], 0.0) ** 2
    return sigmoid(xr @ p["ffn_r"]) * (hidden @ p["ffn_v"])


def forward_one(cfg, weights, token, state):
    """RNN mode: logits [V] for one token; `state` (new_state()) is updated in place."""
    x = weights["emb"][token].copy()
    time_mix = time_mix_v5_2 if cfg["version"] == "5.2" else time_mix_v6
    v_first = None
    for l in range(cfg["n_layer"]):
        p = {k.split(".", 2)[2]: v for k, v in weights.items() if k.startswith(f"layers.{l}.")}
        a = layer_norm(x, p["ln1_w"], p["ln1_b"])
        if cfg["version"] == "7.0":
            out, state["wkv"][l], v_first = time_mix_v7(p, cfg, a, state["att_shift"][l], state["wkv"][l], l, v_first)
        else:
            out, state["wkv"][l] = time_mix(p, cfg, a, state["att_shift"][l], state["wkv"][l])
        state["att_shift"][l] = a
        x = x + out
        b = layer_norm(x, p["ln2_w"], p["ln2_b"])
        x = x + channel_mix(p, cfg, b, state["ffn_shift"][l])
        state["ffn_shift"][l] = b
    return layer_norm(x, weights["ln_out_w"], weights["ln_out_b"]) @ weights["head"]


def forward_rnn(cfg, weights, tokens, dtype=np.float64):
    """logits [T, V] for `tokens` from a fresh state, one token at a time."""
    state = new_state(cfg, dtype)
    return np.stack([forward_one(cfg, weights, t, state) for t in tokens])


def token_nll(logits, targets):
    """nll[t] = -log softmax(logits[t])[targets[t]], in nats (float64 log-sum-exp)."""
    z = logits.astype(np.float64)
    m = z.max(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(z - m).sum(axis=1))
    return lse - z[np.arange(len(targets)), targets]
