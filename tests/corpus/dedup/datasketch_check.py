#!/usr/bin/env python3
"""Independent check of rwkvkit's near dedup: on a seeded corpus with planted edits, compare
rwkvkit's confirmed near-duplicate pairs with the exact Jaccard of the shingle sets (brute force
over every pair sharing a shingle) and report datasketch's MinHashLSH alongside.

Both sides use the shingle hashes near_dedup_driver prints (corpus/dedup/shingles.h; datasketch
with num_perm=112, threshold=0.8), so this checks MinHash, LSH banding, confirmation and
clustering; the simplification and segmentation rules are checked by shingles_test.cc. Corpus:
seeded multilingual base documents, near copies with 0-12% of words edited (copies of copies
too), unrelated documents. Pass: recall >= 0.9 on pairs with exact Jaccard >= 0.85, precision
>= 0.95 where a pair is correct at exact Jaccard >= 0.8 - 0.05 (about 1.3 binomial standard
deviations of a 112-hash estimate at J = 0.8); each representative is the smallest index of its
connected component of confirmed pairs.

Usage: datasketch_check.py --driver build/bin/near_dedup_driver [--seed S] [--bases N]
"""
import argparse
import json
import os
import random
import struct
import subprocess
import sys
import tempfile
from collections import defaultdict

from datasketch import MinHash, MinHashLSH

SLACK = 0.05
SYLLABLES = ["ka", "to", "ri", "mé", "ñu", "sö", "la", "ve", "qu", "zi", "ber", "stra",
             "до", "ми", "ра", "λο", "γο", "στ", "東", "京", "学", "語"]


def make_vocab(rng, n):
    vocab = set()
    while len(vocab) < n:
        vocab.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(vocab)


def edit(rng, words, vocab, rate):
    out = list(words)
    for _ in range(round(len(words) * rate)):
        op = rng.randrange(3)
        pos = rng.randrange(len(out))
        if op == 0:
            out[pos] = rng.choice(vocab)
        elif op == 1:
            out.insert(pos, rng.choice(vocab))
        elif len(out) > 10:
            del out[pos]
    return out


def build_corpus(seed, bases):
    rng = random.Random(seed)
    vocab = make_vocab(rng, 3000)
    docs = []
    for _ in range(bases):
        base = [rng.choice(vocab) for _ in range(rng.randint(60, 400))]
        family = [base]
        for _ in range(rng.randint(1, 4)):
            parent = rng.choice(family)
            rate = rng.choice([0, 0.005, 0.01, 0.015, 0.02, 0.025, 0.03, 0.04, 0.06, 0.08, 0.12])
            family.append(edit(rng, parent, vocab, rate))
        docs.extend(family)
        for _ in range(rng.randint(0, 2)):
            docs.append([rng.choice(vocab) for _ in range(rng.randint(30, 300))])
    rng.shuffle(docs)
    return [" ".join(d) for d in docs]


def exact_pairs(shingles):
    index = defaultdict(list)
    for d, s in enumerate(shingles):
        for h in s:
            index[h].append(d)
    candidates = set()
    for docs in index.values():
        if len(docs) > 200:
            continue  # a shingle in >200 documents: none here; keeps the check linear
        for a in range(len(docs)):
            for b in range(a + 1, len(docs)):
                candidates.add((docs[a], docs[b]))
    jac = {}
    for i, j in candidates:
        a, b = shingles[i], shingles[j]
        jac[(i, j)] = len(a & b) / len(a | b)
    return jac


def datasketch_pairs(shingles, num_perm=112, threshold=0.8):
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    sketches = []
    for d, s in enumerate(shingles):
        m = MinHash(num_perm=num_perm, seed=1)
        for h in sorted(s):
            m.update(struct.pack("<Q", h))
        sketches.append(m)
        lsh.insert(d, m)
    raw, verified = set(), set()
    for d, m in enumerate(sketches):
        for e in lsh.query(m):
            if e == d:
                continue
            p = (min(d, e), max(d, e))
            raw.add(p)
            if sketches[p[0]].jaccard(sketches[p[1]]) >= threshold:
                verified.add(p)
    return raw, verified, (lsh.b, lsh.r)


def score(reported, jac):
    truth = {p for p, j in jac.items() if j >= 0.85}
    found = len(truth & reported)
    correct = sum(1 for p in reported if jac.get(p, 0.0) >= 0.8 - SLACK)
    recall = found / len(truth) if truth else 1.0
    precision = correct / len(reported) if reported else 1.0
    return recall, precision, len(truth), len(reported)


def components_min(n, pairs):
    parent = list(range(n))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j in pairs:
        a, b = find(i), find(j)
        if a != b:
            parent[max(a, b)] = min(a, b)
    return [find(i) for i in range(n)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--driver", required=True)
    ap.add_argument("--seed", type=int, default=20240606)
    ap.add_argument("--bases", type=int, default=250)
    args = ap.parse_args()

    texts = build_corpus(args.seed, args.bases)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "corpus.jsonl")
        with open(path, "w", encoding="utf-8") as f:
            for t in texts:
                f.write(json.dumps({"text": t}, ensure_ascii=False) + "\n")
        out = subprocess.run([args.driver, path], check=True, capture_output=True).stdout
    res = json.loads(out)
    shingles = [set(s) for s in res["shingles"]]
    assert len(shingles) == len(texts)
    jac = exact_pairs(shingles)
    ours = {(i, j) for i, j, _ in res["pairs"]}

    r_rec, r_prec, n_truth, n_ours = score(ours, jac)
    raw, verified, (b, r) = datasketch_pairs(shingles)
    d_rec, d_prec, _, n_raw = score(raw, jac)
    v_rec, v_prec, _, n_ver = score(verified, jac)
    band = sum(1 for j in jac.values() if 0.7 <= j < 0.9)
    print(f"corpus: {len(texts)} documents, {len(jac)} pairs sharing a shingle, "
          f"{n_truth} with exact J >= 0.85, {band} with 0.7 <= J < 0.9")
    print(f"rwkvkit (14x8, confirm >= 0.8): {n_ours} pairs, recall {r_rec:.4f}, "
          f"precision {r_prec:.4f}; stats {res['stats']}")
    print(f"datasketch MinHashLSH (b={b}, r={r}), raw candidates: {n_raw} pairs, "
          f"recall {d_rec:.4f}, precision {d_prec:.4f}")
    print(f"datasketch candidates verified by MinHash.jaccard >= 0.8: {n_ver} pairs, "
          f"recall {v_rec:.4f}, precision {v_prec:.4f}")

    ok = True
    if r_rec < 0.9 or r_prec < 0.95:
        print("FAIL: rwkvkit recall must be >= 0.9 and precision >= 0.95")
        ok = False
    want_rep = components_min(len(texts), ours)
    if want_rep != res["representative"]:
        bad = [i for i in range(len(texts)) if want_rep[i] != res["representative"][i]]
        print(f"FAIL: representatives differ from the components of the confirmed pairs "
              f"at {len(bad)} documents, first {bad[:5]}")
        ok = False
    print("PASS" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
