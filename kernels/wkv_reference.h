// kernels/wkv_reference.h — the CPU twins of the WKV-5.2 and WKV-6 CUDA kernels (kernels/wkv.h)
// and of WKV-7 (kernels/wkv7.h): plain loops over the recurrences of docs/refmodel.md,
// accumulated in fp64 — the spec in code (docs/conventions.md); the `gpu` checkers in
// tests/kernels compare the CUDA kernels against them.
//
// v5.2/v6, per head, key channel i, value channel j, token t in order: y[t,j] = Σ_i r[t,i]·(u[i]·
// k[t,i]·v[t,j] + S[i,j]), then S[i,j] = w[t,i]·S[i,j] + k[t,i]·v[t,j]; u = time_first; w the
// decay factor exp(-exp(d)), [H, N] static (v5.2) or [B, T, H, N] (v6); state key-major
// [B, H, N(key), N(value)]. fp32 inputs only (callers round bf16/fp16 first, so twin and kernel
// see the same values); O(B·T·H·N²). Thread-safe; standard library only (builds without CUDA).
#ifndef RWKVKIT_KERNELS_WKV_REFERENCE_H_
#define RWKVKIT_KERNELS_WKV_REFERENCE_H_

namespace rwkvkit::kernels {

// r, k, v: [B, T, H, N] fp32; w: [H, N] fp32 decay factors (static); u: [H, N] fp32;
// state: [B, H, N, N] fp32, read as the state before token 0 and overwritten with the state
// after token T-1 (the sum is carried in fp64 in between); y: [B, T, H, N] fp32, written.
void Wkv5ForwardReference(int B, int T, int H, int N, const float* r, const float* k,
                          const float* v, const float* w, const float* u, float* state, float* y);

// As Wkv5ForwardReference, but w: [B, T, H, N] fp32, the decay factor of each token.
void Wkv6ForwardReference(int B, int T, int H, int N, const float* r, const float* k,
                          const float* v, const float* w, const float* u, float* state, float* y);

// WKV-7 (kernels/wkv7.h): r, d, k, v, a, b: [B, T, H, N] fp32, d the raw decay logit (the
// factor is exp(-0.606531·σ(d)), computed in fp64 here); state: [B, H, N(value i), N(key j)]
// fp32, read and overwritten as above (fp64 in between); y: [B, T, H, N] fp32, written.
//   sa[i] = Σ_j S[i][j]·a[j];  S[i][j] = S[i][j]·w[j] + sa[i]·b[j] + v[i]·k[j];  y[i] = Σ_j S[i][j]·r[j]
void Wkv7ForwardReference(int B, int T, int H, int N, const float* r, const float* d, const float* k,
                          const float* v, const float* a, const float* b, float* state, float* y);

}  // namespace rwkvkit::kernels

#endif  // RWKVKIT_KERNELS_WKV_REFERENCE_H_
